#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_outputs.sh AEKIT FASHION_DIR — where an output path leads (issue 13
# items 1-2): a device or a pipe is written into and stays what it was; a
# symlink to a file is written through and stays a link; a dangling link, a
# folder or a block device is refused; temporaries are unguessable, never
# followed, never left behind, and a killed writer's are cleaned up; an
# existing file keeps its permissions; messages stay one printable line.
set -u
aekit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

. "$(dirname "$0")/support/cli_lib.sh"

small_model
enc() { "$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$@" >/dev/null; }
left_behind() { ls -A "$1" | grep 'aekit-'; }

# a character device of our own (the same device as /dev/null, made here so
# that a regression replaces a node in $tmp, not the system's)
if mknod "$tmp/null" c 1 3 2>/dev/null; then
  enc "$tmp/null" || { echo "FAIL: encode -o a character device"; fail=1; }
  [ -c "$tmp/null" ] || { echo "FAIL: the character device was replaced by a file"; fail=1; }
  "$aekit" reconstruct "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/null" >/dev/null ||
    { echo "FAIL: reconstruct -o a character device"; fail=1; }
  [ -c "$tmp/null" ] || { echo "FAIL: a picture replaced the character device"; fail=1; }
else
  echo "note: not root, mknod refused: the device case is left out"
fi

# a pipe: the bytes arrive through it, and it is still a pipe
mkfifo "$tmp/fifo"
timeout 60 cat "$tmp/fifo" >"$tmp/from-fifo.csv" &
reader=$!
enc "$tmp/fifo" || { echo "FAIL: encode -o a FIFO"; fail=1; }
wait $reader
[ -p "$tmp/fifo" ] || { echo "FAIL: the FIFO was replaced"; fail=1; }
enc "$tmp/direct.csv"
cmp -s "$tmp/from-fifo.csv" "$tmp/direct.csv" || { echo "FAIL: the FIFO got other bytes"; fail=1; }
# stdout as a pipe, through a link like /dev/stdout (our own, so that a
# regression replaces it and not the system's)
ln -s /proc/self/fd/1 "$tmp/stdout"
"$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/stdout" 2>"$tmp/note" | cmp -s - "$tmp/direct.csv" ||
  { echo "FAIL: encode -o /dev/stdout into a pipe (only the codes, the note on stderr)"; fail=1; }
grep -q "^wrote 3 codes" "$tmp/note" || { echo "FAIL: the note did not go to stderr"; fail=1; }
[ -L "$tmp/stdout" ] || { echo "FAIL: the link to stdout was replaced"; fail=1; }
# stdout redirected to a file (> and >>): the codes land where the shell
# pointed stdout, appended after what >> kept
"$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/stdout" >"$tmp/redir.csv" 2>/dev/null
cmp -s "$tmp/redir.csv" "$tmp/direct.csv" || { echo "FAIL: -o /dev/stdout > file"; fail=1; }
echo header >"$tmp/append.csv"
"$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/stdout" >>"$tmp/append.csv" 2>/dev/null
{ echo header; cat "$tmp/direct.csv"; } | cmp -s - "$tmp/append.csv" || { echo "FAIL: -o /dev/stdout >> file"; fail=1; }

# a symlink to a file: written through, still a link, the target updated
mkdir "$tmp/real"
echo old >"$tmp/real/codes.csv"
ln -s real/codes.csv "$tmp/link.csv"
enc "$tmp/link.csv" || { echo "FAIL: encode -o a symlink"; fail=1; }
[ -L "$tmp/link.csv" ] || { echo "FAIL: the symlink was replaced by a file"; fail=1; }
cmp -s "$tmp/real/codes.csv" "$tmp/direct.csv" || { echo "FAIL: the link's target was not written"; fail=1; }
[ -z "$(left_behind "$tmp/real")$(left_behind "$tmp")" ] || { echo "FAIL: temporaries left"; fail=1; }

# refused: a dangling link, a folder, a block device; nothing written
ln -s nowhere/at/all "$tmp/dangling.csv"
expect_error "dangling.csv: is a symlink to a missing file" enc "$tmp/dangling.csv"
[ ! -e "$tmp/nowhere" ] || { echo "FAIL: the dangling link was followed"; fail=1; }
expect_error "real: is a directory" enc "$tmp/real"
if mknod "$tmp/blk" b 7 250 2>/dev/null; then
  expect_error "blk: is a block device" enc "$tmp/blk"
  [ -b "$tmp/blk" ] || { echo "FAIL: the block device was replaced"; fail=1; }
fi

# an existing file keeps its permission bits
enc "$tmp/mode.csv" && chmod 640 "$tmp/mode.csv" && enc "$tmp/mode.csv"
[ "$(stat -c %a "$tmp/mode.csv")" = 640 ] || { echo "FAIL: mode became $(stat -c %a "$tmp/mode.csv")"; fail=1; }
# a new file gets the umask's bits
(umask 027 && enc "$tmp/umask.csv")
[ "$(stat -c %a "$tmp/umask.csv")" = 640 ] || { echo "FAIL: new file mode $(stat -c %a "$tmp/umask.csv") under umask 027"; fail=1; }

# the old predictable temporary name, planted as a link to a victim, is not
# followed (the temporary is made with O_EXCL under a random name)
echo precious >"$tmp/victim"
# (exec keeps the subshell's pid, so the old name is known in advance)
( ln -s victim "$tmp/plant.csv.tmp.$BASHPID"
  exec "$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/plant.csv" >/dev/null ) ||
  { echo "FAIL: encode next to a planted link"; fail=1; }
[ "$(cat "$tmp/victim")" = precious ] || { echo "FAIL: a planted link's target was overwritten"; fail=1; }

# a temporary a killed writer left (its pid gone) is removed by the next
# write of the same file; one of a live process is not
sleep 30 &
live=$!
dead=$(bash -c 'echo $$')
touch "$tmp/.stale.csv.aekit-$dead-0123456789abcdef" "$tmp/.stale.csv.aekit-$live-0123456789abcdef"
enc "$tmp/stale.csv" || { echo "FAIL: encode over stale temporaries"; fail=1; }
[ ! -e "$tmp/.stale.csv.aekit-$dead-0123456789abcdef" ] || { echo "FAIL: a dead writer's temporary stayed"; fail=1; }
[ -e "$tmp/.stale.csv.aekit-$live-0123456789abcdef" ] || { echo "FAIL: a live writer's temporary was removed"; fail=1; }
kill $live 2>/dev/null
rm -f "$tmp/.stale.csv.aekit-$live-0123456789abcdef"

# kill -9 in the middle of a save: the file under the name is the old one or
# the new one, whole; what the killed run left is cleaned by the next write
printf '0.1,0.2,0.3,0.4\n%.0s' $(seq 20000) >"$tmp/big.csv"
"$aekit" train --data "$tmp/big.csv" --model dense:2:relu -e 1 -q -o "$tmp/k.safetensors"
cp "$tmp/k.safetensors" "$tmp/k.orig"
for delay in 0.05 0.1 0.2 0.4; do
  "$aekit" train --data "$tmp/big.csv" --model dense:2:relu -e 1 -q -o "$tmp/k.safetensors" &
  p=$!
  sleep $delay
  kill -9 $p 2>/dev/null
  wait $p 2>/dev/null
  "$aekit" info "$tmp/k.safetensors" >/dev/null || { echo "FAIL: kill -9 after ${delay}s left a broken model"; fail=1; }
done
"$aekit" train --data "$tmp/ok.csv" --model dense:2:relu -e 1 -q -o "$tmp/k.safetensors"
[ -z "$(left_behind "$tmp")" ] || { echo "FAIL: killed writers' temporaries stayed: $(left_behind "$tmp")"; fail=1; }

# two writers of one file at once: the file is one of theirs, whole
for i in 1 2 3 4; do
  "$aekit" train --data "$tmp/ok.csv" --model dense:2:relu -e 1 -q --seed $i -o "$tmp/c.safetensors" &
done
wait
"$aekit" info "$tmp/c.safetensors" >/dev/null || { echo "FAIL: concurrent writers broke the file"; fail=1; }
[ -z "$(left_behind "$tmp")" ] || { echo "FAIL: concurrent writers left temporaries"; fail=1; }

# file size limit: a clean error (not death by SIGXFSZ), the old file kept,
# no temporary left
cp "$tmp/m.safetensors" "$tmp/m.orig"
( ulimit -f 4
  expect_error "m.safetensors: cannot write: File too large" "$aekit" train --data "$tmp/ok.csv" \
    --model dense:600:relu -e 1 -q -o "$tmp/m.safetensors"
  exit $fail ) || fail=1
cmp -s "$tmp/m.safetensors" "$tmp/m.orig" || { echo "FAIL: the model changed under ulimit -f"; fail=1; }
[ -z "$(left_behind "$tmp")" ] || { echo "FAIL: ulimit -f left a temporary"; fail=1; }
# a closed pipe: an error line, not death by SIGPIPE
"$aekit" encode "$tmp/m.safetensors" --data "$tmp/big.csv" -o "$tmp/stdout" 2>"$tmp/pipe.err" | head -c 1 >/dev/null
rc=${PIPESTATUS[0]}
{ [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q 'Broken pipe' "$tmp/pipe.err"; } ||
  { echo "FAIL: a closed pipe gave rc $rc: $(cat "$tmp/pipe.err")"; fail=1; }

# "-" is standard output (the numbers as CSV, the command's own lines on
# stderr) and, for --data, standard input (its format told by its bytes)
"$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o - 2>"$tmp/note" >"$tmp/dash.csv"
cmp -s "$tmp/dash.csv" "$tmp/direct.csv" || { echo "FAIL: encode -o - (only the codes on stdout)"; fail=1; }
grep -q "wrote" "$tmp/note" || { echo "FAIL: encode -o -: the note did not go to stderr"; fail=1; }
"$aekit" score "$tmp/m.safetensors" --data "$tmp/ok.csv" -o - 2>/dev/null >"$tmp/scores.csv"
[ "$(grep -c . "$tmp/scores.csv")" -eq "$(grep -c . "$tmp/ok.csv")" ] && ! grep -q '[a-z]' "$tmp/scores.csv" ||
  { echo "FAIL: score -o -: stdout holds more than the scores"; cat "$tmp/scores.csv"; fail=1; }
"$aekit" encode "$tmp/m.safetensors" --data - -o - <"$tmp/ok.csv" 2>/dev/null | cmp -s - "$tmp/direct.csv" ||
  { echo "FAIL: encode --data - (CSV on stdin)"; fail=1; }
enc "$tmp/codes.npy"
"$aekit" reconstruct "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/rec.npy" >/dev/null
"$aekit" encode "$tmp/m.safetensors" --data - -o - <"$tmp/rec.npy" >"$tmp/from-npy.csv" 2>/dev/null &&
  [ "$(grep -c . "$tmp/from-npy.csv")" -eq "$(grep -c . "$tmp/ok.csv")" ] ||
  { echo "FAIL: encode --data - (NPY on stdin)"; fail=1; }
expect_error "<stdin>: no data" "$aekit" encode "$tmp/m.safetensors" --data - -o "$tmp/x.csv" </dev/null
expect_error "already another option's output" "$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o - --output -
expect_error "features" "$aekit" encode "$tmp/m.safetensors" --data - -o "$tmp/x.csv" <"$tmp/codes.npy"

# messages stay one printable line whatever the bytes: a spec with a
# newline and an escape, an NPY header key, a CSV field, a file name
expect_error 'dense:2:relu\n\x1b[31m' "$aekit" train --data "$tmp/ok.csv" --model $'dense:2:relu\n\033[31m' -o "$tmp/x.safetensors"
printf "\x93NUMPY\x01\x00\x46\x00{'descr': '<f4', 'fortran_order': False, 'sha\npe\033]0;x\007': (1,), }        \n" >"$tmp/key.npy"
expect_error 'key.npy' "$aekit" train --data "$tmp/key.npy" -o "$tmp/x.safetensors"
printf '1,2,3\n4,\033[2J\xff\xfe,6\n' >"$tmp/field.csv"
expect_error 'field.csv' "$aekit" train --data "$tmp/field.csv" -o "$tmp/x.safetensors"
cp "$tmp/ok.csv" "$tmp/bad"$'\n'"name"$'\342\200\256'".idx"
expect_error 'bad\nname\u{202e}.idx' "$aekit" train --data "$tmp/bad"$'\n'"name"$'\342\200\256'".idx" -o "$tmp/x.safetensors"
exit $fail
