"""Shared pieces of the Health Predict DAGs: settings (Airflow Variables and Connections with local
defaults) and the operator that runs one jobs-CLI subcommand through spark-submit.

Only Airflow and the Spark provider are imported here: the DAG processor parses these files often,
so nothing heavy (PySpark, MLflow, pandas) may be imported at module level."""
