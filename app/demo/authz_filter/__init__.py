"""Stand-in for Orthanc's authorization plugin: an orthanc-python script and its helpers.

Orthanc loads `filter_script.py` (its `PythonScript`); orthanc-python puts the script's folder
first on `sys.path`, so the helpers here import each other as top-level modules (`filter_*`,
named so that they shadow nothing). Only `filter_config` is pure: the others import `orthanc`.
"""
