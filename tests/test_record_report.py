"""The report a therapist files, from real keyboard sessions: safety events with their time
and words, answers as asked, homework for the client, titles, language, engine."""

from __future__ import annotations

import json

from recordkit import data_dir, logs, run_cli

from voice_guide.record.reader import read_log
from voice_guide.report.content import read_record

ANSWERS = ["next", "yes", "no", "yes", "yes", "no", "no"]  # intro, then posture .. glute_med


def session(protocol: str, lines: list[str], *extra) -> str:
    """Run a virtual-clock keyboard session; the Markdown report of its log."""
    result = run_cli(["run", protocol, "--keyboard", "--virtual-clock", *extra],
                     "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    report = run_cli(["report", "latest"])
    assert report.returncode == 0, report.stderr
    return report.stdout


def test_assessment_first_report_lists_its_nerve_sign_stops_and_the_pulse():
    md = session("iliopsoas-assessment-first",
                 [*ANSWERS, "no", "wait 2", "numb", "resume", "next", "yes", "next", "pulse",
                  "located", "yes", "tender", "refers", "wait 3", "numb", "finish", "yes"])
    safety = md.split("## Safety events")[1].split("\n## ")[0]
    rows = [r for r in safety.splitlines() if r.startswith("| 0:")]
    assert rows[0].startswith("| 0:02 | Compensators first | Nerve signs (numbness, tingling, "
                              "weakness): work stopped; resumed at 0:02 (misheard?) | "
                              "Numbness, tingling or weakness are nerve signs.")
    assert rows[1].startswith("| 0:02 | Locate the psoas | Pulse under the fingers (aorta): "
                              "moved lateral | A pulse under your fingers means the aorta.")
    assert rows[2].startswith("| 0:05 | Contract and relax | Nerve signs (numbness, tingling, "
                              "weakness): work stopped (point 1) |")
    assert len(rows) == 3
    assert "| 1 | 0:02 | refers | 3.0 s | nerve signs: stopped |" in md
    assert ("- Posture: do you see an anterior pelvic tilt or an increased lumbar curve? — Yes"
            in md)
    assert "- Any numbness, tingling or weakness in the leg, or pain that travels along a " \
           "nerve? — No" in md
    assert "anterior_tilt_or_lordosis" not in md and "nerve_signs: no" not in md
    assert "psoas.contract_relax" not in md

    soap = run_cli(["report", "latest", "--format", "soap"]).stdout
    assert "## S: Subjective" in soap and "## P: Plan" in soap
    assert "- **Referral:** Refer to a physician before further work here: nerve signs " \
           "stopped the work at 0:02 (Compensators first), 0:05 (Contract and relax). 0:02: " \
           "resumed at 0:02 (misheard?)." in soap
    assert "Chief complaint, in the client's words:** ____" in soap


def test_a_yes_to_nerve_signs_in_the_assessment_is_a_safety_event_and_a_referral():
    md = session("iliopsoas-assessment-first", [*ANSWERS, "yes"])
    assert "| 0:00 | Nerve signs | Nerve signs in the assessment: no release, refer out |" in md
    soap = run_cli(["report", "latest", "--format", "soap-md"]).stdout
    assert "- **Referral:** Refer to a physician" in soap


def test_homework_is_written_for_the_client_and_tender_checks_without_holds_are_listed():
    md = session("iliopsoas-assessment-first",
                 [*ANSWERS, "no", "next", "no", "tender", "next", "tender", "worse", "next",
                  "next"])
    home = md.split("## Homework for the client")[1]
    assert "Strength and stability: Homework for strength and stability: pelvic tilts, glute " \
           "bridges and hip flexor stretches." in home
    assert "Say next" not in home
    assert "- point 1 in Your own gentle release (0:00): left without a hold" in md
    assert "- point 2 in Your own gentle release (0:00): too much pressure (worse)" in md


def test_a_korean_session_gets_a_korean_report():
    md = session("psoas", ["next", "located", "yes", "tender", "refers", "wait 4", "fading",
                           "pulse", "finish", "yes"], "--lang", "ko")
    for label in ("# 세션 보고서: 대요근 이완", "**날짜:**", "## 안전 사건", "## 단계별 지점",
                  "### 수축과 이완", "| 1 | 0:00 | 방사 | 4.0초 | 풀림 |", "## 고객 과제"):
        assert label in md, label
    for english in ("Session", "Date", "Safety", "Point", "refers", "fading", "Homework",
                    "none", " s |"):
        assert english not in md, english
    soap = run_cli(["report", "latest", "--format", "soap"]).stdout
    assert "## S: 주관적 정보" in soap and "Subjective" not in soap


def test_sessions_by_number_latest_and_name_and_json():
    session("psoas", ["next", "finish", "yes"], "--client", "A")
    session("iliopsoas-assessment-first", ["next"], "--client", "a-client-label-that-is-long")
    table = run_cli(["sessions"]).stdout.splitlines()
    header, newest, oldest = table
    assert newest.startswith("2 ") and "Iliopsoas, assessment first" in newest
    assert oldest.startswith("1 ") and "Psoas release" in oldest
    for col in ("duration", "status", "name"):  # columns line up whatever the lengths
        at = header.index(col)
        assert newest[at - 1] == " " and oldest[at - 1] == " "
    listed = json.loads(run_cli(["sessions", "--json"]).stdout)
    assert [r["number"] for r in listed] == [2, 1]
    assert listed[0]["title"] == "Iliopsoas, assessment first" and listed[1]["client"] == "A"
    by_number = run_cli(["report", "1"]).stdout
    assert "Psoas release" in by_number and by_number == run_cli(["report",
                                                                  listed[1]["name"]]).stdout
    assert by_number == run_cli(["report", listed[1]["name"].removesuffix(".jsonl")]).stdout
    assert "Iliopsoas, assessment first" in run_cli(["report", "latest"]).stdout
    missing = run_cli(["report", "7"])
    assert missing.returncode == 2 and "no session 7: `voice-guide sessions` lists 1 to 2" \
        in missing.stderr
    assert len(logs()) == 2 and data_dir().is_dir()


def test_an_old_log_without_heartbeats_or_titles_still_reports_and_resumes():
    """The JSON-lines contract grew (heartbeat, answer words, step titles, language): a log
    written before reads, reports with the installed protocol's titles, and resumes."""
    from test_record_kill import BEFORE_KILL

    result = run_cli(["run", "psoas", "--keyboard", "--virtual-clock"],
                     "\n".join(BEFORE_KILL) + "\n")
    assert result.returncode == 0, result.stderr
    [path] = logs()
    old = []
    for line in path.read_text().splitlines():
        e = json.loads(line)
        if e["event"] == "session_start":
            del e["steps"], e["language"]
        if e["event"] not in ("heartbeat", "session_end"):
            old.append(json.dumps(e))
    path.write_text("\n".join(old) + "\n")
    md = run_cli(["report", "1"]).stdout
    assert "### Explore the muscle" in md and "| 3 | 0:39 | refers | at least 4.0 s" in md
    resumed = run_cli(["run", "psoas", "--keyboard", "--virtual-clock", "--resume", "1",
                       "--json"], "finish\nyes\n")
    assert resumed.returncode == 0 and "replay differs" not in resumed.stderr
    cut = next(json.loads(x) for x in resumed.stdout.splitlines() if '"hold_end"' in x)
    assert (cut["reason"], cut["duration"]) == ("interrupted", 4.0)  # its last line, 43 s


def test_a_korean_simulated_session_records_vosk_not_auto():
    """`engine: auto` chooses Vosk for Korean: the log and the Korean report name Vosk."""
    script = data_dir() / "ko.yaml"
    script.write_text("protocol: psoas\nlang: ko\nengine: auto\nturns:\n"
                      "  - {say: 넘어가, expect: locate}\n", encoding="utf-8")
    result = run_cli(["simulate", str(script)], timeout=180)
    assert result.returncode == 0, result.stderr
    md = run_cli(["report", "latest"]).stdout
    assert "- **음성 인식:** vosk" in md and "auto" not in md


def test_a_log_whose_heard_command_is_not_text_still_reports(tmp_path):
    """A damaged or hand-edited `heard` line (its command a list) is read as no command; the
    rest of the log still makes a report (the report was refused whole: unhashable list)."""
    lines = [{"t": 0.0, "event": "session_start", "protocol": "psoas", "version": "1"},
             {"t": 1.0, "event": "heard", "command": ["pulse"]},
             {"t": 1.0, "event": "cue", "kind": "safety", "text": "Move lateral."},
             {"t": 2.0, "event": "heard", "command": "pulse"},
             {"t": 2.0, "event": "cue", "kind": "safety", "text": "Move lateral."}]
    path = tmp_path / "damaged.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    rec = read_record(read_log(path))
    assert [(s.kind, s.command) for s in rec.safety] == [("rule", None), ("pulse", "pulse")]
