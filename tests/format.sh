#!/bin/sh
# format.sh: every C file follows .clang-format (style.md 7); skipped where
# clang-format is not installed.
command -v clang-format >/dev/null 2>&1 || { echo "SKIP: no clang-format"; exit 77; }
cd "${top_srcdir:-.}" || exit 1
status=0
for f in src/*.[ch] src/central/*.[ch] db/*.[ch] ui/*.[ch] bench/*.c tests/unit/*.[ch] tests/fuzz/*.c tests/integration/*.c; do
	[ -f "$f" ] || continue
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "format: $f differs from .clang-format (run clang-format -i $f)"
		status=1
	fi
done
exit $status
