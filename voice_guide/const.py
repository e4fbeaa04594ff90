"""Constants every stage shares, written once: the audio format the whole guide runs on."""

#: Samples a second of every signal inside the guide (microphone, files, speech, engines).
RATE = 16000
#: Samples a frame: silero-VAD's fixed window (32 ms); the segmenter and the room measure in it.
FRAME = 512
