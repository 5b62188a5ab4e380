"""The large-study benchmark generator, called with a tiny size."""

import io

import pydicom

from app.demo.bench_studies import large_study_instances
from app.demo.dicom import demo_instances


def test_a_tiny_large_study_is_valid_dicom_with_one_study():
    files = list(large_study_instances(n_slices=3, size=16))
    assert list(large_study_instances(n_slices=3, size=16)) == files
    datasets = [pydicom.dcmread(io.BytesIO(data)) for data in files]
    assert len(datasets) == 3
    assert len({ds.StudyInstanceUID for ds in datasets}) == 1
    assert len({ds.SeriesInstanceUID for ds in datasets}) == 1
    assert len({ds.SOPInstanceUID for ds in datasets}) == 3
    for index, ds in enumerate(datasets):
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert str(ds.PatientName) == "BENCH^LARGE"
        assert (ds.Modality, ds.Rows, ds.Columns, ds.BitsAllocated) == ("CT", 16, 16, 16)
        assert len(ds.PixelData) == 16 * 16 * 2
        assert ds.InstanceNumber == index + 1
    assert len({ds.ImagePositionPatient[2] for ds in datasets}) == 3


def test_large_study_size_scales_with_slices_and_edge():
    (one,) = large_study_instances(n_slices=1, size=128)
    assert 128 * 128 * 2 < len(one) < 128 * 128 * 2 + 4096


def test_seeds_give_other_studies_than_each_other_and_the_demo():
    def study_uids(files):
        return {pydicom.dcmread(io.BytesIO(data)).StudyInstanceUID for data in files}

    first = study_uids(large_study_instances(n_slices=1, size=8))
    other = study_uids(large_study_instances(n_slices=1, size=8, seed="other"))
    assert not first & other
    assert not (first | other) & study_uids(demo_instances())
