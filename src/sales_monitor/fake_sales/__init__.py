"""The fake producer's logic: `faker` makes Brazilian sales, `pace` keeps the schedule, and
`produce` sends them, saying how delivery goes."""
