"""A run checks each data file once: the Dataset its kernels take (data.checked) is the one they
would have loaded, and only a private folder's Dataset for exactly these bytes is taken."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from mzforecast.data import checked, load



def test_kept_dataset_is_taken_and_equal(data_file, room, monkeypatch):
    monkeypatch.delenv(checked.FOLDER_VARIABLE)
    ds = load(str(data_file))
    checked.keep(ds, str(data_file), None, room)
    assert len(list(room.glob("*.pickle"))) == 1
    monkeypatch.setenv(checked.FOLDER_VARIABLE, str(room))
    got = load(str(data_file))
    assert got is not ds
    assert got.observations.equals(ds.observations)
    assert list(got.observations.columns) == list(ds.observations.columns)
    assert (got.indicators, got.regions, got.sources, got.messages) == (ds.indicators, ds.regions, ds.sources,
                                                                        ds.messages)


def test_changed_file_is_loaded_again(data_file, room):
    ds = load(str(data_file))
    checked.keep(ds, str(data_file), None, room)
    text = data_file.read_text(encoding="utf-8").splitlines()
    data_file.write_text("\n".join(text[:-3]) + "\n", encoding="utf-8")  # three rows fewer
    assert checked.take(str(data_file)) is None
    assert len(load(str(data_file)).observations) == len(ds.observations) - 3


def test_companion_file_is_part_of_the_key(data_file, room):
    before = checked.key(str(data_file))
    data_file.with_suffix(".indicators.yaml").write_text("indicators: []\n", encoding="utf-8")
    assert checked.key(str(data_file)) != before


def test_folder_others_can_write_is_not_used(data_file, room):
    checked.keep(load(str(data_file)), str(data_file), None, room)
    assert checked.take(str(data_file)) is not None
    os.chmod(room, 0o777)
    assert checked.take(str(data_file)) is None


def test_no_folder_or_no_file_key(data_file, monkeypatch, tmp_path):
    monkeypatch.delenv(checked.FOLDER_VARIABLE, raising=False)
    assert checked.take(str(data_file)) is None
    assert checked.key(None) is None
    assert checked.key(str(tmp_path)) is None  # a folder, not a data file
    assert checked.key([str(data_file), str(tmp_path / "missing.csv")]) is None
    assert checked.key([str(data_file)], "Sheet1") != checked.key([str(data_file)])
