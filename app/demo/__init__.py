"""Synthetic demo data: deterministic DICOM studies and their upload to Orthanc."""
