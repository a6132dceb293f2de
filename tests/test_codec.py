import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from grader.guest import codec, decode


@pytest.mark.parametrize(
    "value",
    [
        None, True, 3, 2**80, 2.5, float("inf"), "text", b"\x00bytes", Ellipsis, 1 + 2j,
        (1, "a"), [1, [2, 3]], {1: "a", "b": (2,)}, {1, 2}, frozenset({3}),
        np.float64(1.5), np.int32(7), np.array([[1.0, 2.0], [3.0, 4.0]]), np.array(["ab", "c"]),
        np.array([True, False]), np.array([1, None, "x"], dtype=object),
    ],
)  # fmt: skip
def test_plain_values_round_trip(value):
    got = decode.loads(codec.dumps(value))
    if isinstance(value, np.ndarray):
        assert got.dtype == value.dtype and got.shape == value.shape
        assert (got == value).all()
    else:
        assert type(got) is type(value) and got == value


def test_pandas_values_round_trip_with_dtypes_and_index():
    df = pd.DataFrame(
        {"a": [1, 2], "b": ["x", None], "c": pd.to_datetime(["2020-01-01", "2021-06-01"]),
         "d": pd.Series(["lo", "hi"], dtype="category"), "e": pd.Series([1, None], dtype="Int64")},
        index=pd.Index(["r1", "r2"], name="row"),
    )  # fmt: skip
    pd.testing.assert_frame_equal(decode.loads(codec.dumps(df)), df)
    s = pd.Series([1.5, 2.5], index=[10, 20], name="s")
    pd.testing.assert_series_equal(decode.loads(codec.dumps(s)), s)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame([[1, "a"], [2, "b"]], columns=["x", "x"]),  # a repeated column name
        pd.DataFrame(index=pd.Index(["r1", "r2"], name="row")),  # no columns, an index
        pd.DataFrame(columns=["a", "b"]),  # columns, no rows
        pd.DataFrame({("m", "a"): [1.0, 2.0], ("m", "b"): [3.0, 4.0]}),  # MultiIndex columns
        pd.DataFrame(
            {"t": pd.Series(["x", None, "z"], dtype="str"),
             "s": pd.Series(["x", None, "z"], dtype="string"),
             "o": pd.Series(["x", 2, None], dtype=object)}
        ),
    ],
)  # fmt: skip
def test_data_frames_of_every_shape_round_trip(frame):
    pd.testing.assert_frame_equal(decode.loads(codec.dumps(frame)), frame)


def test_a_text_column_with_missing_values_arrives_with_them():
    s = pd.Series(["a", None, "c"], dtype="string")
    got = decode.loads(codec.dumps(s))
    assert got.dtype == s.dtype and got.isna().tolist() == [False, True, False]


def test_a_data_frame_whose_column_and_index_lengths_differ_is_refused():
    payload = json.loads(codec.dumps(pd.DataFrame({"a": [1, 2, 3]})))
    payload["index"]["stop"] = 2
    with pytest.raises(codec.CodecError, match="malformed data frame"):
        decode.loads(json.dumps(payload))


def test_fitted_estimator_arrives_as_inspectable_data():
    model = LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    got = decode.loads(codec.dumps(model))
    assert got.class_name == "LinearRegression"
    assert got.params["fit_intercept"] is True
    np.testing.assert_allclose(got.coef_, [2.0])
    with pytest.raises(AttributeError, match=r"nb\.eval"):
        got.predict  # noqa: B018


def test_objects_that_are_not_data_are_refused():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    with pytest.raises(codec.CodecError, match="cannot travel as data"):
        codec.dumps(AlwaysEqual())
    with pytest.raises(codec.CodecError):
        codec.dumps(lambda: 1)


@pytest.mark.parametrize(
    "payload",
    [
        {"$": "ndarray", "dtype": "|O", "shape": [1], "b64": ""},
        {"$": "ndarray", "dtype": "<f8", "shape": [3], "b64": "AAAAAAAAAAA="},
        {"$": "pickle", "data": "gASVAAAA"},
        {"$": "estimator", "module": "os", "class": "system", "params": [], "attrs": {}},
        {"not": "tagged"},
    ],
)
def test_decoder_rejects_payloads_that_are_not_valid_data(payload):
    with pytest.raises(codec.CodecError):
        decode.loads(json.dumps(payload))


def test_decoder_caps_size_and_depth():
    with pytest.raises(codec.CodecError, match="too large"):
        decode.loads('"' + "x" * 100 + '"', limit=50)
    deep = {"$": "list", "items": []}
    for _ in range(200):
        deep = {"$": "list", "items": [deep]}
    with pytest.raises(codec.CodecError, match="deeply"):
        decode.loads(json.dumps(deep))
