"""Monitor de Vendas em Tempo Real: `uv run streamlit run streamlit/dashboard.py`.

The app lives in `sales_monitor.ui` (pages Painel and Inspecionar); `uv run dashboard` runs
the same app.
"""

from sales_monitor.ui.app import main

main()
