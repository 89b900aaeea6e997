-- What the forge said when FC asked whether a pull request's author may write to the project's
-- repository (a collaborator with write access, whose pull requests, from forks too, are trusted);
-- NULL: not asked (no forge account for the repository, or the author was trusted without asking).
ALTER TABLE pull_requests ADD COLUMN author_may_write boolean;
