"""The words of the report and the SOAP note, in the session's language (English, Korean).

A Korean session gets a Korean report throughout: the step titles and the guide's words come
from the log (the Korean protocol said them), and every label comes from here. A language
without a table here falls back to English labels.
"""

from __future__ import annotations

EN = {
    "report": "Session report", "soap": "SOAP note (draft)",
    "client": "Client", "date": "Date", "duration": "Duration", "session": "Session",
    "protocol": "Protocol", "version": "version", "engine": "Heard by", "log": "Log",
    "finished": "finished", "not_finished": "not finished", "resumed": "resumed {n}×",
    "unreadable": "{n} unreadable line(s) left out",
    "checked": "Points checked", "checked_n": "{n} ({held} held)",
    "engine_keyboard": "keyboard (typed commands)",
    "safety": "Safety events", "no_safety": "none",
    "time": "Time", "step": "Step", "event": "Event", "said": "What the guide said",
    "points": "Points by step", "no_points": "No points were checked.",
    "point": "Point", "sensation": "Refers / local", "hold": "Hold", "ended": "How it ended",
    "no_hold": "no hold", "cut_at_least": "at least {s} (cut off)",
    "refers": "refers", "local": "local",
    "not_held": "Tender checks that did not become holds",
    "revisit": "Points to revisit (lighter pressure), still open", "none": "none",
    "answers": "Assessment answers", "none_recorded": "none recorded",
    "homework": "Homework for the client", "timeline": "Timeline",
    "yes": "Yes", "no": "No", "point_in": "point {point} in {step}",
    "steps_label": "Steps", "holds_label": "Holds", "paused": "paused", "other": "other",
    "resumed_here": "resumed",
    # how a hold (or a check) ended
    "r_fading": "fading", "r_limit": "hold limit", "r_worse": "too much pressure (worse)",
    "r_finish": "session finished", "r_interrupted": "interrupted (session cut off)",
    "r_nerve": "nerve signs: stopped", "r_none": "not recorded (log ends mid-hold)",
    "r_cancel": "left without a hold",
    # safety events
    "s_nerve": "Nerve signs (numbness, tingling, weakness): work stopped",
    "s_nerve_answer": "Nerve signs in the assessment: no release, refer out",
    "s_nerve_check": "Nerve signs heard unclearly: hands still, the guide asked",
    "s_pulse": "Pulse under the fingers (aorta): moved lateral",
    "s_limit": "Hold limit reached", "s_worse": "Too much pressure (rising sensation)",
    "s_rule": "Safety reply to “{command}”",
    "s_resumed": "resumed at {t} (misheard?)",
    # SOAP
    "S": "S: Subjective", "O": "O: Objective", "A": "A: Assessment", "P": "P: Plan",
    "complaint": "Chief complaint, in the client's words",
    "pain_before": "Pain before (0-10)", "pain_after": "Pain after (0-10)",
    "reported": "Reported during the session",
    "rep_tender": "tender at {n} point(s)", "rep_refers": "referred sensation at point(s) {pts}",
    "rep_worse": "rising sensation (too much pressure) at point(s) {pts}",
    "rep_nerve": "nerve signs at {times}",
    "observations": "Other findings (posture, range of motion, palpation)",
    "summary": "From the record", "therapist_assessment": "Therapist's assessment",
    "sum_points": "{n} point(s) held: {fading} released (fading), {limit} at the hold limit, "
                  "{worse} left for too much pressure, {other} cut off or stopped.",
    "referral": "Referral", "refer_nerve": "Refer to a physician before further work here: "
                                           "nerve signs stopped the work at {times}.",
    "refer_none": "none indicated by the record",
    "next_session": "Next session", "signature": "Therapist, signature and date",
    "draft_note": "Drafted from the session record; check, complete and sign.",
}

KO = {
    "report": "세션 보고서", "soap": "SOAP 기록 (초안)",
    "client": "고객", "date": "날짜", "duration": "시간", "session": "세션",
    "protocol": "프로토콜", "version": "버전", "engine": "음성 인식", "log": "기록",
    "finished": "마침", "not_finished": "마치지 않음", "resumed": "{n}회 이어서 함",
    "unreadable": "읽을 수 없는 줄 {n}개 제외",
    "checked": "확인한 지점", "checked_n": "{n}개 (유지 {held}개)",
    "engine_keyboard": "키보드 (입력한 명령)",
    "safety": "안전 사건", "no_safety": "없음",
    "time": "시각", "step": "단계", "event": "사건", "said": "안내가 한 말",
    "points": "단계별 지점", "no_points": "확인한 지점이 없습니다.",
    "point": "지점", "sensation": "방사 / 국소", "hold": "유지", "ended": "끝난 방식",
    "no_hold": "유지 안 함", "cut_at_least": "최소 {s} (중단됨)",
    "refers": "방사", "local": "국소",
    "not_held": "유지로 이어지지 않은 압통 확인",
    "revisit": "다시 볼 지점 (더 가볍게), 아직 남음", "none": "없음",
    "answers": "평가 답변", "none_recorded": "기록 없음",
    "homework": "고객 과제", "timeline": "시간표",
    "yes": "예", "no": "아니요", "point_in": "{step}의 {point}번 지점",
    "steps_label": "단계", "holds_label": "유지", "paused": "일시정지", "other": "기타",
    "resumed_here": "이어서 함",
    "r_fading": "풀림", "r_limit": "유지 한도", "r_worse": "압력 과다 (악화)",
    "r_finish": "세션 종료", "r_interrupted": "중단됨 (세션 끊김)",
    "r_nerve": "신경 증상: 중단", "r_none": "기록 없음 (유지 중에 기록이 끝남)",
    "r_cancel": "유지 없이 떠남",
    "s_nerve": "신경 증상 (저림, 따끔거림, 힘 빠짐): 작업 중단",
    "s_nerve_answer": "평가에서 신경 증상: 이완 없음, 의뢰",
    "s_nerve_check": "신경 증상으로 들림 (불확실): 손을 멈추고 확인함",
    "s_pulse": "손끝의 맥박 (대동맥): 바깥쪽으로 옮김",
    "s_limit": "유지 한도 도달", "s_worse": "압력 과다 (감각이 커짐)",
    "s_rule": "“{command}”에 대한 안전 안내",
    "s_resumed": "{t}에 이어서 함 (잘못 들음?)",
    "S": "S: 주관적 정보", "O": "O: 객관적 정보", "A": "A: 평가", "P": "P: 계획",
    "complaint": "주 호소 (고객의 말로)",
    "pain_before": "치료 전 통증 (0-10)", "pain_after": "치료 후 통증 (0-10)",
    "reported": "세션 중 보고",
    "rep_tender": "압통 지점 {n}개", "rep_refers": "방사 감각: {pts}번 지점",
    "rep_worse": "감각이 커짐 (압력 과다): {pts}번 지점",
    "rep_nerve": "신경 증상: {times}",
    "observations": "그 밖의 소견 (자세, 관절 가동 범위, 촉진)",
    "summary": "기록에서", "therapist_assessment": "치료사의 평가",
    "sum_points": "유지한 지점 {n}개: 풀림 {fading}개, 유지 한도 {limit}개, 압력 과다로 떠남 "
                  "{worse}개, 중단 {other}개.",
    "referral": "의뢰", "refer_nerve": "이 부위를 더 작업하기 전에 의사에게 의뢰: 신경 증상으로 "
                                       "작업을 멈춤: {times}.",
    "refer_none": "기록상 해당 없음",
    "next_session": "다음 세션", "signature": "치료사 서명과 날짜",
    "draft_note": "세션 기록으로 작성한 초안입니다. 확인하고 채운 뒤 서명하세요.",
}

TABLES = {"en": EN, "ko": KO}
UNITS = {"en": ("{m} min {s:02d} s", "{s} s", "{x:.1f} s"),
         "ko": ("{m}분 {s:02d}초", "{s}초", "{x:.1f}초")}


class Words:
    """The labels of one language: `w["safety"]`, `w.f("resumed", n=2)`, `w.secs(5.0)`."""

    def __init__(self, language: str) -> None:
        self.lang = language if language in TABLES else "en"
        self.table = {**EN, **TABLES[self.lang]}

    def __getitem__(self, key: str) -> str:
        return self.table[key]

    def f(self, key: str, **kw) -> str:
        return self.table[key].format(**kw)

    def secs(self, seconds: float) -> str:
        return UNITS[self.lang][2].format(x=seconds)

    def minutes(self, seconds: float) -> str:
        s = int(round(seconds))
        long, short, _ = UNITS[self.lang]
        return long.format(m=s // 60, s=s % 60) if s >= 60 else short.format(s=s)

    def reason(self, reason: str | None) -> str:
        return self.table.get(f"r_{reason}" if reason else "r_none", str(reason))


def clock(t: float) -> str:
    """Session time as m:ss (the timeline's and the safety table's)."""
    s = int(t)
    return f"{s // 60}:{s % 60:02d}"
