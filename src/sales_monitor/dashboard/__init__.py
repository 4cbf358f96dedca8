"""The dashboard's data, with no Streamlit in it: `consumer` reads the topic into `store`
(through `ingest`, pure, and `arrivals`, the meter); `filtering`, `metrics`, `trend`,
`tables` and `charts` compute what the page shows; `refresh` builds one refresh's view
once for every tab."""
