"""The Streamlit app, and the only package that imports Streamlit: `app.py` is the entry
point, one file per page beside it (`painel`, `inspecionar`), `resources` holds what a
server shares (one consumer, one producer, the computed views), `errors` turns an exception
into one sentence on the page."""
