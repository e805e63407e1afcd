"""Finding the students' submissions: a notebook, a folder of submissions, or a git repository.

Every submission is copied into the grader's private folder (mode 0700) before anything runs:
only the assignment's notebook and the files it declares (``Assignment.files``), found beside
the notebook, are kept; symbolic links, special files and files over :data:`MAX_FILE_BYTES` are
left out with a note. A git repository is read with ``git ls-tree`` and ``git show``: the
student's branches are never checked out, and the instructor's working tree is not touched.

- a notebook ``alice.ipynb``: one student, ``alice``;
- a folder: each ``*.ipynb`` in it is a student (its stem), each sub-folder a student (its
  name) whose notebook is found inside (``<assignment>.ipynb`` or its Portuguese edition
  ``<assignment>.pt-BR.ipynb`` preferred, at the top, then in ``exercises/``, then anywhere; else
  the only notebook there; of the two editions, the one the student changed);
- a git repository (a folder with ``.git``, or a bare repository): each branch is a student
  (local branches and remote-tracking ones, the default branches ``main``/``master``/``HEAD``
  excepted), the notebook found in the branch's tree as in a folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

#: A submitted file larger than this is not copied (the notebook included).
MAX_FILE_BYTES = 200 * 2**20
#: Names the grader writes in its output folder: never a student's (see :func:`collect`).
RESERVED = frozenset({"gradebook.csv", "gradebook.csv.tmp"})
#: Branches that are the course's own, not a student's.
DEFAULT_BRANCHES = ("main", "master", "HEAD", "gh-pages")


@dataclass
class Submission:
    """One student's work, copied to ``folder`` (None when nothing could be read)."""

    student: str
    source: str
    folder: Path | None = None
    notes: list[str] = field(default_factory=list)
    problem: str | None = None  # why there is nothing to grade (no notebook, unreadable …)
    submitted_as: str = ""  # the entry's real name (file stem, folder or branch)


def safe_name(name: str) -> str:
    """A student name usable as one path component: letters, digits, ``._-`` only."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")
    return clean[:100] or "student"


def editions(notebook: str) -> tuple[str, str]:
    """The English and the Portuguese file name of an assignment's notebook:
    ``hw05_lstm.ipynb`` -> (``hw05_lstm.ipynb``, ``hw05_lstm.pt-BR.ipynb``)."""
    stem = notebook.removesuffix(".ipynb").removesuffix(".pt-BR")
    return f"{stem}.ipynb", f"{stem}.pt-BR.ipynb"


def _pick_notebook(paths: list[str], notebook: str, untouched=lambda path: False) -> str | None:
    """The submitted notebook among the relative ``paths`` of a submission.

    A student may work in either edition (English or ``.pt-BR``); a clone holds both. Where both
    are present, the one the student changed wins: ``untouched(path)`` says whether a file is
    still the course's own copy (a branch's blob equal to the default branch's, a folder's file
    equal to the course's exercise).
    """
    nbs = [p for p in paths if p.endswith(".ipynb") and "/." not in "/" + p]
    nbs = [p for p in nbs if ".ipynb_checkpoints" not in p]
    names = editions(notebook)
    for prefix in ("", "exercises/", "solutions/"):
        found = [prefix + name for name in names if prefix + name in nbs]
        if found:
            changed = [p for p in found if not untouched(p)]
            return (changed or found)[0]
    named = sorted((p for p in nbs if p.rsplit("/", 1)[-1] in names), key=len)
    if named:
        changed = [p for p in named if not untouched(p)]
        return (changed or named)[0]
    top = [p for p in nbs if "/" not in p]
    if len(top) == 1:
        return top[0]
    if len(nbs) == 1:
        return nbs[0]
    return None


def _same_as_course_exercise(path: Path) -> bool:
    """Is ``path`` byte for byte the course's own ``exercises/<name>`` (never edited)?"""
    course = Path(__file__).resolve().parents[2] / "exercises" / path.name
    try:
        return (
            course.is_file()
            and path.stat().st_size == course.stat().st_size
            and (path.read_bytes() == course.read_bytes())
        )
    except OSError:
        return False


def _copy_file(src: Path, dst: Path, sub: Submission) -> bool:
    try:
        st = os.lstat(src)
    except OSError as e:
        sub.notes.append(f"{src.name}: unreadable ({e.strerror})")
        return False
    if not stat.S_ISREG(st.st_mode):
        sub.notes.append(f"{src.name}: not a regular file (a link?), ignored")
        return False
    if st.st_size > MAX_FILE_BYTES:
        sub.notes.append(f"{src.name}: {st.st_size:,} bytes, over {MAX_FILE_BYTES:,}; ignored")
        return False
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    return True


def from_folder(folder: Path, student: str, notebook: str, files, dest: Path) -> Submission:
    """The submission in ``folder`` (a student's folder), copied into ``dest``."""
    sub = Submission(student, str(folder))
    rel = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "node_modules"]
        for f in filenames:
            rel.append(os.path.relpath(os.path.join(dirpath, f), folder).replace(os.sep, "/"))
        if len(rel) > 20000:
            break
    chosen = _pick_notebook(rel, notebook, lambda p: _same_as_course_exercise(folder / p))
    if chosen is None:
        sub.problem = f"no notebook {notebook} in the submission"
        return sub
    dest.mkdir(parents=True)
    base = folder / os.path.dirname(chosen)
    if _copy_file(folder / chosen, dest / notebook, sub):
        for name in files:
            if (base / name).exists() or os.path.islink(base / name):
                _copy_file(base / name, dest / name, sub)
        sub.folder = dest
    else:
        sub.problem = f"the notebook {chosen} could not be read"
    if chosen != notebook:
        sub.notes.append(f"graded {chosen}")
    return sub


def from_notebook(path: Path, notebook: str, files, dest: Path) -> Submission:
    sub = Submission(path.stem, str(path))
    dest.mkdir(parents=True)
    if _copy_file(path, dest / notebook, sub):
        for name in files:
            if (path.parent / name).exists():
                _copy_file(path.parent / name, dest / name, sub)
        sub.folder = dest
    else:
        sub.problem = f"the notebook {path.name} could not be read"
    return sub


def _git(repo: Path, *args: str, binary: bool = False):
    r = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, check=False, timeout=120
    )
    if r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout if binary else r.stdout.decode(errors="replace")


def is_git_repo(path: Path) -> bool:
    if not path.is_dir():
        return False
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def branches(repo: Path) -> list[tuple[str, str]]:
    """(student, ref) for each student branch: local ones first, then remote-tracking ones."""
    out = _git(repo, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")
    seen: dict[str, str] = {}
    for ref in out.split():
        if ref.startswith("refs/heads/"):
            name = ref.removeprefix("refs/heads/")
        else:
            name = ref.removeprefix("refs/remotes/").split("/", 1)[-1]
        if name in DEFAULT_BRANCHES or name in seen:
            continue
        seen[name] = ref
    return sorted(seen.items())


def _default_blobs(repo: Path) -> dict[str, str]:
    """path -> blob id of the notebooks on the course's own branch (main, master …), if any."""
    for name in DEFAULT_BRANCHES:
        try:
            listing = _git(repo, "ls-tree", "-r", "-z", name)
        except RuntimeError:
            continue
        blobs = {}
        for row in listing.split("\0"):
            if row and row.endswith(".ipynb"):
                meta, path = row.split("\t", 1)
                blobs[path] = meta.split()[2]
        return blobs
    return {}


def from_branch(repo: Path, student: str, ref: str, notebook: str, files, dest: Path):
    """The submission on branch ``ref``, read with ``git ls-tree``/``git show`` into ``dest``."""
    sub = Submission(student, f"{repo}@{ref}")
    listing = _git(repo, "ls-tree", "-r", "-l", "-z", ref)
    entries = {}
    for row in listing.split("\0"):
        if not row:
            continue
        meta, path = row.split("\t", 1)
        mode, kind, obj, size = meta.split()
        entries[path] = (mode, kind, obj, size)
    default = _default_blobs(repo)
    chosen = _pick_notebook(
        list(entries),
        notebook,
        lambda p: default.get(p) is not None and default[p] == entries[p][2],
    )
    if chosen is None:
        sub.problem = f"no notebook {notebook} on branch {student}"
        return sub
    dest.mkdir(parents=True)
    base = os.path.dirname(chosen)
    wanted = [(chosen, notebook)] + [
        (f"{base}/{n}" if base else n, n)
        for n in files
        if (f"{base}/{n}" if base else n) in entries
    ]
    for path, name in wanted:
        mode, kind, obj, size = entries[path]
        if kind != "blob" or mode not in ("100644", "100755"):
            sub.notes.append(f"{path}: not a regular file (a link?), ignored")
            continue
        if int(size) > MAX_FILE_BYTES:
            sub.notes.append(f"{path}: {int(size):,} bytes, over {MAX_FILE_BYTES:,}; ignored")
            continue
        (dest / name).write_bytes(_git(repo, "cat-file", "blob", obj, binary=True))
    if (dest / notebook).exists():
        sub.folder = dest
    else:
        sub.problem = f"the notebook {chosen} could not be read from branch {student}"
    if chosen != notebook:
        sub.notes.append(f"graded {chosen}")
    return sub


def collect(paths, notebook: str, files, private: Path, one_student: bool = False):
    """All submissions under ``paths``, copied into ``private`` (one sub-folder each).

    ``one_student``: each folder in ``paths`` is ONE student's submission (Gradescope's
    ``/autograder/submission``), named after the folder.

    Student names are path-safe and unique, and no entry can take another's name, whatever
    the folders are called or the order they sort in (:func:`unique_names`). A path that does
    not exist raises ``FileNotFoundError`` (nothing has been graded yet then).
    """
    found: list[tuple[str, callable]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise FileNotFoundError(f"no such notebook, folder or repository: {raw}")
        if path.is_dir() and one_student:
            found.append(
                (path.resolve().name, lambda d, p=path: from_folder(p, p.name, notebook, files, d))
            )
        elif path.is_file():
            found.append((path.stem, lambda d, p=path: from_notebook(p, notebook, files, d)))
        elif is_git_repo(path):
            for student, ref in branches(path):
                found.append(
                    (
                        student,
                        lambda d, s=student, r=ref, p=path: from_branch(
                            p, s, r, notebook, files, d
                        ),
                    )
                )
        else:
            for entry in sorted(path.iterdir()):
                if entry.name.startswith(".") or entry.is_symlink():
                    continue
                if entry.is_file() and entry.suffix == ".ipynb":
                    found.append(
                        (entry.stem, lambda d, p=entry: from_notebook(p, notebook, files, d))
                    )
                elif entry.is_dir():
                    found.append(
                        (
                            entry.name,
                            lambda d, p=entry: from_folder(p, p.name, notebook, files, d),
                        )
                    )
    subs: list[Submission] = []
    names = unique_names([(student, f"{k}") for k, (student, _) in enumerate(found)])
    for k, (student, read) in enumerate(found):
        name = names[k]
        try:
            sub = read(private / f"{k:04d}")
        except Exception as e:  # one unreadable submission never stops the batch
            sub = Submission(student, "?", problem=f"could not read the submission: {e}")
        sub.student = name
        sub.submitted_as = student
        subs.append(sub)
    return subs


def _tag(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def unique_names(entries: list[tuple[str, str]]) -> list[str]:
    """One unique, path-safe student name per ``(real name, where)`` entry, in order.

    - an entry whose real name is already safe (:func:`safe_name` leaves it unchanged) and not
      :data:`RESERVED` keeps it: the first such entry of that name, in the order given (the
      same name given twice, from two paths, gets a suffix from a hash of its position);
    - any other entry (a name with spaces, quotes, a leading dot, or a reserved one such as
      ``gradebook.csv``) gets its safe name only if no exact entry has it and no other entry
      sanitises to it too; otherwise its safe name plus ``-`` and 8 hex digits of the SHA-256
      of its real name. So a folder ``' alice'`` can never take ``alice``'s name or results,
      whatever the sort order, and no student folder is ever one of the grader's own files.
    """
    safe = [safe_name(raw) for raw, _ in entries]
    exact = [s == raw and s not in RESERVED for s, (raw, _) in zip(safe, entries, strict=True)]
    taken: set[str] = set(RESERVED)
    out: list[str | None] = [None] * len(entries)
    for k, (raw, where) in enumerate(entries):
        if exact[k]:
            name = safe[k] if safe[k] not in taken else f"{safe[k]}-{_tag(raw + chr(0) + where)}"
            out[k] = name
            taken.add(name)
    counts: dict[str, int] = {}
    for k in range(len(entries)):
        if not exact[k]:
            counts[safe[k]] = counts.get(safe[k], 0) + 1
    for k, (raw, where) in enumerate(entries):
        if exact[k]:
            continue
        name = safe[k]
        if name in taken or counts[name] > 1:
            name = f"{safe[k][:90]}-{_tag(raw)}"
        n = 1
        while name in taken:  # the same real name twice, or an exact name that looks like a tag
            n += 1
            name = f"{safe[k][:90]}-{_tag(raw + chr(0) + where + chr(0) + str(n))}"
        out[k] = name
        taken.add(name)
    return [str(n) for n in out]
