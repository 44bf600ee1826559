"""Chat in the terminal: each message refines the current intent and the plan is made again.

``ChatSession`` holds the conversation's state and answers one message at a time (so it can
be used from other front ends); ``run`` is the terminal loop around it, with line editing and
history from readline, and a clean end on Ctrl-C or Ctrl-D.

How a message refines the intent: a task, objective, deployment, precisions or model it
names replace the current ones; a bound replaces the bound on the same metric and direction;
hardware includes and excludes and policies accumulate ("no NVIDIA" adds an exclusion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from intent.errors import IntentError, IntentNotUnderstood
from intent.schema import Intent

HELP = """Say what you need, or refine it: "make it cheaper", "latency can be 20 ms", "no NVIDIA",
"why not the L4?", "show alternatives", "export it for Kubernetes" (English or Chinese).
Commands: /help /json /alternatives /export [k8s|triton] [DIR] /undo /reset /save FILE /quit"""
ASK_TASK = ("What should the model do? For example: classify images, detect objects, transcribe audio, "
            "serve a chatbot, translate text.")
WHY_NOT = re.compile(r"^\s*(?:why not|why no|为什么不用|为什么不)\s*(?:the\s+|an?\s+)?(?P<what>.+?)\s*[?？]?\s*$", re.IGNORECASE)
SHOW_ALTERNATIVES = re.compile(r"(show|list|what are the)\s+(the\s+)?alternatives|其他方案|备选", re.IGNORECASE)
LEAVE_WORDS = {"quit", "exit", "bye", "q", "退出", "再见"}  # a whole message saying only this ends the chat
EXPORT_WORDS = re.compile(r"(export|deploy|manifests?)\b.*\b(kubernetes|k8s)|导出", re.IGNORECASE)


@dataclass
class Reply:
    text: str
    plan: object | None = None
    done: bool = False


@dataclass
class ChatSession:
    offline: bool = False
    catalog_dir: str | None = None
    intents: list[Intent] = field(default_factory=list)
    plans: list = field(default_factory=list)

    @property
    def intent(self) -> Intent | None:
        return self.intents[-1] if self.intents else None

    @property
    def plan(self):
        return self.plans[-1] if self.plans else None

    def answer(self, message: str) -> Reply:
        message = message.strip()
        if not message:
            return Reply("")
        if message.startswith("/"):
            return self._command(message)
        if message.lower().rstrip(".!。！") in LEAVE_WORDS:
            return self._command("/quit")
        if (m := WHY_NOT.match(message)) and self.plan is not None:
            return self._why_not(m.group("what"))
        if SHOW_ALTERNATIVES.search(message):
            return self._command("/alternatives")
        if EXPORT_WORDS.search(message):
            return self._command("/export k8s")
        return self._refine(message)

    # -- refining -------------------------------------------------------------------------

    def _refine(self, message: str) -> Reply:
        from intent.api import parse

        try:
            update = parse(message, offline=self.offline, catalog_dir=self.catalog_dir)
        except IntentNotUnderstood:
            return Reply(ASK_TASK if self.intent is None else
                         "I could not read that as a change. " + HELP.splitlines()[0])
        intent = update if self.intent is None else merge(self.intent, update)
        if intent.task is None and intent.workload.model is None:
            self.intents.append(intent)
            return Reply(ASK_TASK)
        return self._plan(intent)

    def _plan(self, intent: Intent) -> Reply:
        from hardware.errors import CatalogError
        from intent.api import plan
        from intent.history import plan_changes
        from planner.errors import InfeasibleError, PlanningError
        from policies.errors import PolicyError

        try:
            result = plan(intent, catalog_dir=self.catalog_dir)
        except InfeasibleError as exc:
            self.intents.append(intent)
            lines = [f"No plan: {exc}"] + [f"  - {line}" for line in exc.report.lines()[1:]]
            return Reply("\n".join(lines + ["Relax one of these, or /undo."]))
        except (IntentError, PlanningError, PolicyError, CatalogError) as exc:
            # A refusal or an unreadable setting is an answer; the conversation and its plan stay.
            hint = getattr(exc, "hint", "")
            return Reply(f"{exc}" + (f"\n({hint})" if hint else ""))
        previous = self.plan
        self.intents.append(intent)
        self.plans.append(result)
        if previous is None:
            return Reply("", plan=result)
        changes = plan_changes(previous, result)
        return Reply("changed:\n" + "\n".join(f"  {c}" for c in changes) if changes else "no change", plan=result)

    def _why_not(self, what: str) -> Reply:
        from hardware import load_catalog
        from intent.parser.devices import device_phrases
        from intent.parser.lexicon import load_lexicon
        from intent.parser.text import Workspace, normalise

        catalog = load_catalog(self.catalog_dir)
        space = Workspace(normalise(what, load_lexicon()))
        found = device_phrases(catalog).scan(space.text)
        if not found:
            return Reply(f"I do not know a device called {what!r}; see: intentctl catalog devices")
        target = found[0].key
        pinned = self.intent.model_copy(update={
            "hardware": self.intent.hardware.model_copy(update={"include": [target], "exclude": []})})
        from intent.api import plan
        from planner.errors import InfeasibleError

        try:
            other = plan(pinned, catalog_dir=self.catalog_dir, record=False, alternatives=0)
        except InfeasibleError as exc:
            return Reply(f"{target} cannot meet this request: " + "; ".join(exc.report.lines()))
        metric = (self.plan.intent.objective.metric.value if self.plan.intent.objective else "cost")
        from planner.figures import fmt
        from planner.solve.chooser import FIELD

        ours, theirs = getattr(self.plan.metrics, FIELD[metric]), getattr(other.metrics, FIELD[metric])
        return Reply(f"On {target} the best plan is {other.choice.model_id} ({other.choice.precision}, "
                     f"batch {other.choice.batch_size}): {metric} {fmt(theirs, metric)} against "
                     f"{fmt(ours, metric)} for {self.plan.choice.device_id}.")

    # -- commands -------------------------------------------------------------------------

    def _command(self, line: str) -> Reply:
        name, *args = line.split()
        if name in ("/quit", "/exit", "/q"):
            return Reply("bye", done=True)
        if name == "/help":
            return Reply(HELP)
        if name == "/reset":
            self.intents.clear()
            self.plans.clear()
            return Reply("Starting over. " + ASK_TASK)
        if self.plan is None and name in ("/json", "/alternatives", "/export", "/save", "/undo"):
            return Reply("There is no plan yet. " + ASK_TASK)
        if name == "/json":
            return Reply(self.plan.model_dump_json(indent=2))
        if name == "/alternatives":
            return Reply("\n".join(f"{a.choice.model_id} on {a.choice.device_id} ({a.choice.precision}, batch "
                                   f"{a.choice.batch_size}): {a.why_not}" for a in self.plan.alternatives)
                         or "no alternatives")
        if name == "/undo":
            self.plans.pop()
            self.intents.pop()
            return Reply("undone" if self.plan else "undone; there is no plan now", plan=self.plan)
        if name == "/save":
            path = args[0] if args else "plan.json"
            try:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(self.plan.model_dump_json(indent=2))
            except OSError as exc:
                return Reply(f"could not save {path}: {exc.strerror or exc}; the plan is kept, try another path")
            return Reply(f"saved {path}")
        if name == "/export":
            from hardware import load_catalog
            from intent.export import ExportError, write

            kind = args[0] if args else "k8s"
            try:
                paths = write(self.plan, load_catalog(self.catalog_dir), kind, args[1] if len(args) > 1 else ".")
            except ExportError as exc:
                return Reply(str(exc))
            return Reply("wrote " + ", ".join(str(p) for p in paths))
        return Reply(f"unknown command {name}; /help lists them")


def merge(current: Intent, update: Intent) -> Intent:
    """The current intent refined by a follow-up message's reading."""
    data = current.model_dump()
    for name in ("task", "objective", "deployment"):
        if getattr(update, name) is not None:
            data[name] = update.model_dump()[name]
    if update.tie_breakers:
        data["tie_breakers"] = update.model_dump()["tie_breakers"]
    if update.precisions:
        data["precisions"] = update.model_dump()["precisions"]
    replaced = {(c.metric, c.op) for c in update.constraints}
    data["constraints"] = ([c.model_dump() for c in current.constraints if (c.metric, c.op) not in replaced]
                           + [c.model_dump() for c in update.constraints])
    include = [s for s in current.hardware.include if s not in update.hardware.exclude] + \
        [s for s in update.hardware.include if s not in current.hardware.include]
    exclude = [s for s in current.hardware.exclude if s not in update.hardware.include] + \
        [s for s in update.hardware.exclude if s not in current.hardware.exclude]
    data["hardware"] = {"include": include, "exclude": exclude}
    policies = data["policies"]
    policies["watermark"] = current.policies.watermark or update.policies.watermark
    if update.policies.differential_privacy is not None:
        policies["differential_privacy"] = update.policies.differential_privacy.model_dump()
    policies["compliance"] = list(dict.fromkeys([*current.policies.compliance, *update.policies.compliance]))
    if update.workload.model:
        data["workload"]["model"] = update.workload.model
    data["text"] = f"{current.text} / {update.text}"
    data["assumptions"] = list(dict.fromkeys([*current.assumptions, *update.assumptions]))
    data["warnings"] = list(update.warnings)
    return Intent.model_validate(data)


def run(offline: bool = False, catalog_dir: str | None = None) -> int:
    """The terminal loop. Returns the exit code."""
    from rich.console import Console

    from intent.render import show_plan

    try:
        import readline  # noqa: F401 - line editing and arrow-key history for input()
    except ImportError:
        pass
    console = Console(highlight=False)
    session = ChatSession(offline=offline, catalog_dir=catalog_dir)
    console.print("intentctl chat: say what you need; /help for commands, /quit to leave.")
    while True:
        try:
            message = input("you> ")
        except (EOFError, KeyboardInterrupt):
            console.print("\nbye")
            return 0
        try:
            reply = session.answer(message)
        except KeyboardInterrupt:
            console.print("\n(interrupted)")
            continue
        if reply.plan is not None and not message.startswith("/"):
            show_plan(reply.plan, console)
        if reply.text:
            console.print(reply.text, markup=False)
        if reply.done:
            return 0
