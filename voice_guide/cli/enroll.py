"""`voice-guide enroll` and `voice-guide profiles`: learn the therapist's voice, list and
remove profiles (voice_guide/enroll/)."""

from __future__ import annotations

import argparse
from pathlib import Path

from voice_guide import settings as settings_mod
from voice_guide.cli.options import add_voice_options, settings_from
from voice_guide.ears import grammar as grammars
from voice_guide.ears.listener import embedder
from voice_guide.enroll import profiles
from voice_guide.enroll.core import Enrollment
from voice_guide.enroll.folder import enroll_folder
from voice_guide.enroll.plan import plan
from voice_guide.enroll.spoken import SpokenEnrollment
from voice_guide.errors import UserError
from voice_guide.notice import notice


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("enroll", help="learn your voice: say each command three times")
    p.add_argument("commands", nargs="*", metavar="COMMAND",
                   help="redo only these commands (default: every command)")
    add_profile_option(p)
    p.add_argument("--from", dest="source", type=Path, metavar="DIR",
                   help="take recordings instead of the microphone: COMMAND-N.wav files")
    p.add_argument("--lang", choices=["en", "ko"], help="session language (default: the "
                   "settings' language, else en)")
    p.add_argument("--all-phrasings", action="store_true",
                   help="every phrasing of each command, not only its own word")
    add_voice_options(p)
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("profiles", help="list the enrolled voice profiles, or remove one")
    ps = p.add_subparsers(dest="profiles_command", metavar="ACTION")
    r = ps.add_parser("remove", help="delete a profile")
    r.add_argument("name", metavar="NAME")
    r.set_defaults(func=cmd_remove)
    p.set_defaults(func=cmd_profiles)


def add_profile_option(p: argparse.ArgumentParser) -> None:
    """`--profile NAME` for every command that listens (setting: profile)."""
    p.add_argument("--profile", metavar="NAME",
                   help="the voice profile to use (`voice-guide profiles`; setting: profile; "
                        f"default: {profiles.DEFAULT!r} when enrolled)")


def session_profile(args: argparse.Namespace) -> profiles.Profile | None:
    """The profile a listening command uses: --profile, the setting, or `default`."""
    return profiles.choose(getattr(args, "profile", None),
                           settings_mod.load_settings().profile)


def cmd_enroll(args: argparse.Namespace) -> int:
    name = profiles.check_name(args.profile or profiles.DEFAULT)
    if args.source is not None and args.all_phrasings:
        raise UserError("--all-phrasings is for the spoken enrollment; a folder holds one "
                        "phrasing per command (COMMAND-N.wav)")
    lang = args.lang or settings_mod.load_settings().language or "en"
    prompts = plan(grammars.load(lang), args.commands, args.all_phrasings)
    enrollment = Enrollment(prompts, lang, embedder())
    if args.source is not None:
        refused, missing = enroll_folder(args.source, enrollment, notice)
        if missing and args.commands:
            raise UserError(f"{args.source}: no takes of {missing[0].command!r} "
                            f"(files {missing[0].command}-1.wav, -2.wav, -3.wav)")
        if missing and enrollment.done():
            notice(f"no takes of: {', '.join(p.command for p in missing)} "
                 "(the shipped voices still serve them)")
    else:
        refused = []
        SpokenEnrollment(enrollment, settings_from(args).for_language(lang),
                         print).run()
    if not enrollment.done():
        raise UserError(f"no take was kept, so profile {name!r} is unchanged"
                        + (f"; record COMMAND-N.wav files in {args.source}"
                           if args.source is not None and not refused else ""))
    old = profiles.load(name) if profiles.exists(name) else profiles.Profile(name)
    takes = enrollment.templates()
    path = profiles.save(old.with_takes(takes))
    print(f"profile {name!r}: {len(takes)} takes of {len(enrollment.done())} phrasings "
          f"({lang}) saved in {path}")
    if refused:
        notice(f"{len(refused)} take(s) refused; record them again and run "
             f"`voice-guide enroll --profile {name} --from DIR COMMAND...`")
        return 2
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    found = profiles.names()
    for name in found:
        try:
            p = profiles.load(name)
            langs = ", ".join(f"{lang}: {len(t)} takes of {len(set(t.commands))} commands"
                              for lang, t in sorted(p.sets.items()))
        except UserError as exc:
            langs = f"unreadable ({exc})"
        print(f"{name:20} {langs}")
    if not found:
        notice("no profiles yet; `voice-guide enroll` makes one")
    notice(f"(profiles are kept in {profiles.profiles_dir()})")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    path = profiles.remove(args.name)
    print(f"removed profile {args.name!r} ({path})")
    return 0
