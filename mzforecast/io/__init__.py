"""Reading and writing the files offices exchange: Excel templates, statistical reports."""
