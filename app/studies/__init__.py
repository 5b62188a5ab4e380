"""Finding studies in Orthanc and describing them for the console."""
