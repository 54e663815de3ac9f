#!/usr/bin/env bash
# Fails when a file tracked by git is larger than 1 MiB (MAX_FILE_BYTES),
# as committed or staged (the index) or as it is in the working tree now.
# Built binaries, archives and data dumps belong in .gitignore, not in git.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
limit=${MAX_FILE_BYTES:-1048576}

big=$(
	{
		# Index: blob sizes of what is committed or staged.
		paste \
			<(git ls-files --stage | cut -f1 | awk '{print $2}' | git cat-file --batch-check='%(objectsize)') \
			<(git ls-files --stage | cut -f2-)
		# Working tree: tracked files as they are now.
		git ls-files -z | xargs -0 -r stat -c '%s	%n' 2>/dev/null || true
	} | awk -F'\t' -v limit="$limit" '$1 > limit { print $1 "\t" $2 }' | sort -u -k2
)
if [ -n "$big" ]; then
	echo "tracked files over $limit bytes (remove them with 'git rm --cached FILE' and add a .gitignore rule; commit data under 1 MiB only):" >&2
	echo "$big" | awk -F'\t' '{ printf "  %s (%d bytes)\n", $2, $1 }' >&2
	exit 1
fi
echo "no tracked file over $limit bytes ($(git ls-files | wc -l) files)"
