"""What the Painel shows, computed from the sales table with no Streamlit in it:
`filtering` narrows the table to a period and a city, `metrics`, `trend`, `tables` and
`charts` compute each part of the page, `places` folds city names, and `refresh` builds one
refresh's view once for every open tab."""
