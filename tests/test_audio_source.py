"""Audio input: any WAV becomes 16 kHz mono int16, streamed; bad input is one UserError."""

import io
import wave

import numpy as np
import pytest

from voice_guide.audio import pcm as audio_source
from voice_guide.errors import UserError


def _tone(rate: int, seconds: float, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return 0.5 * np.sin(2 * np.pi * freq * t)


def _write(path, x: np.ndarray, rate: int, width: int, channels: int = 1) -> None:
    x = np.repeat(x[:, None], channels, axis=1)
    if width == 1:
        data = np.round(x * 127 + 128).astype(np.uint8).tobytes()
    elif width == 3:
        v = np.round(x * (2**23 - 1)).astype(np.int32).reshape(-1)
        data = np.stack([v & 255, (v >> 8) & 255, (v >> 16) & 255], 1).astype(np.uint8).tobytes()
    else:
        dt, scale = ("<i2", 32767) if width == 2 else ("<i4", 2**31 - 1)
        data = np.round(x * scale).astype(dt).tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)


def _read(path) -> np.ndarray:
    return np.concatenate(list(audio_source.read(str(path))))


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_sample_widths_decode_to_the_same_tone(tmp_path, width):
    _write(tmp_path / "a.wav", _tone(16000, 1.0), 16000, width)
    out = _read(tmp_path / "a.wav").astype(np.float64) / 32768
    assert len(out) == 16000
    assert np.max(np.abs(out - _tone(16000, 1.0))) < 0.02


def test_44k_stereo_is_resampled_to_16k_mono(tmp_path):
    x = _tone(44100, 2.0, freq=1000.0)
    _write(tmp_path / "s.wav", x, 44100, 2, channels=2)
    out = _read(tmp_path / "s.wav").astype(np.float64) / 32768
    assert abs(len(out) - 32000) <= 2
    spectrum = np.abs(np.fft.rfft(out[2000:18000]))
    assert np.argmax(spectrum) == 1000  # 16000-sample window: bin == Hz
    assert 0.45 < np.max(np.abs(out[2000:-2000])) < 0.55


def test_long_file_is_streamed_in_small_chunks(tmp_path):
    _write(tmp_path / "long.wav", _tone(48000, 30.0), 48000, 2)
    chunks = audio_source.read(str(tmp_path / "long.wav"))
    sizes = [len(c) for c in chunks]
    assert max(sizes) <= 4000 and abs(sum(sizes) - 30 * 16000) <= 2  # ~0.1 s chunks


def test_stdin_pcm_keeps_odd_bytes_for_the_next_read():
    data = np.arange(-500, 500, dtype="<i2").tobytes()

    class Trickle(io.BytesIO):
        def read(self, n=-1):
            return super().read(min(n, 333))  # odd-sized reads split samples

    out = np.concatenate(list(audio_source.read_pcm(Trickle(data))))
    assert np.array_equal(out, np.arange(-500, 500))


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00WAVEjunk", b"hello world" * 10])
def test_bad_files_are_one_user_error(tmp_path, content):
    (tmp_path / "bad.wav").write_bytes(content)
    with pytest.raises(UserError) as err:
        _read(tmp_path / "bad.wav")
    assert "bad.wav" in str(err.value) and "\n" not in str(err.value)


def test_wav_without_frames_is_a_user_error(tmp_path):
    _write(tmp_path / "e.wav", np.zeros(0), 16000, 2)
    with pytest.raises(UserError, match="no audio"):
        _read(tmp_path / "e.wav")


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        _read(tmp_path / "nope.wav")
