"""What the fake model says: a script per scenario, picked by a marker in the user's prompt.

The fake model is deliberately simple-minded, like the one behind the recordings in
`tests/fixtures/streams/`: it never reads tool results, it only counts how many of its own
turns already follow the latest user prompt and plays the next step of the script. After a
denied write it still says "Created hello.py ..." — which layer notices the false claim is
exactly what the tests look at. A step whose tool the CLI did not offer becomes the text "ok"
(Gemini CLI drops its write and shell tools without an approval mode).

Steps are API-neutral; `anthropic.py`, `openai_responses.py` and `gemini.py` render them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WriteFile:
    """Create `path` (relative to the project) with `content`."""

    path: str
    content: str


@dataclass(frozen=True)
class RunCommand:
    """Run a shell command in the project."""

    command: str
    description: str = "Run the script"


@dataclass(frozen=True)
class AskUser:
    """Ask the user through the CLI's question tool (Codex `request_user_input`)."""

    question: str


@dataclass(frozen=True)
class Say:
    """A plain closing text."""

    text: str


Step = WriteFile | RunCommand | AskUser | Say


@dataclass(frozen=True)
class Failure:
    """Every model call of the scenario fails with an HTTP error of this kind."""

    kind: str  # "server_error" (500), "overloaded" (529 / Gemini 503), "invalid_model" (404)


@dataclass(frozen=True)
class Script:
    """The steps one user prompt plays, or the failure every call gets."""

    steps: tuple[Step, ...] = ()
    failure: Failure | None = None

    def step(self, done: int) -> Step:
        """The step after `done` model turns; past the end the closing text is repeated."""
        if done < len(self.steps):
            return self.steps[done]
        last = self.steps[-1] if self.steps else None
        return last if isinstance(last, Say) else Say("ok")


INVALID_MODEL = "no-such-model"
QUESTION = "Should the greeting file be named hello.txt or greeting.txt?"
WRITE_AND_RUN = Script((
    WriteFile("hello.py", "print('hello')\n"),
    RunCommand("python3 hello.py"),
    Say("Created hello.py and ran it: it prints hello."),
))
ANSWER_AFTER_RESUME = Script((
    WriteFile("greeting.txt", "hello from the fake model\n"),
    Say("Created greeting.txt as you asked."),
))

# (marker at the start of the prompt, script); the first match wins.
PREFIX_SCRIPTS: list[tuple[str, Script]] = [
    ("fail-500:", Script(failure=Failure("server_error"))),
    ("fail-529:", Script(failure=Failure("overloaded"))),
    ("ask-question:", Script((Say(QUESTION),))),
    ("ask-tool:", Script((AskUser(QUESTION), Say("Noted; waiting for your choice.")))),
    ("Use greeting.txt", ANSWER_AFTER_RESUME),
    ("Create hello.py", WRITE_AND_RUN),
]


def script_for(prompt: str, model: str | None) -> Script:
    """The script a prompt selects; an unknown model fails every call, whatever the prompt."""
    if model == INVALID_MODEL:
        return Script(failure=Failure("invalid_model"))
    text = prompt.strip()
    if text.startswith("echo-back:"):
        return Script((Say(f"You said: {text}"),))
    for marker, script in PREFIX_SCRIPTS:
        if text.startswith(marker):
            return script
    return Script((Say("ok"),))


def is_instruction_text(text: str) -> bool:
    """Context the CLIs add as user text (`<system-reminder>`, `<environment_context>`, ...)."""
    return text.lstrip().startswith("<")
