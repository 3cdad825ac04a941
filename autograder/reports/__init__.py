"""What people read: the report `make grade` prints, the class report, CSV files."""
