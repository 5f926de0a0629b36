#!/bin/sh
# SPDX-License-Identifier: MIT
# manpages.sh AEKIT OUTDIR VERSION — write the man pages OUTDIR/aekit.1 and
# OUTDIR/aekit-COMMAND.1 (one per command that `AEKIT --help` lists) from
# the program's own --help texts, as man(7) roff. No date goes into them:
# the same program and VERSION give the same bytes.
set -eu
if [ $# -ne 3 ]; then
  echo "usage: sh scripts/manpages.sh PATH/TO/aekit OUTDIR VERSION" >&2
  exit 2
fi
aekit=$1 out=$2 version=$3
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

"$aekit" --help >"$tmp/top" || { echo "manpages.sh: $aekit --help failed" >&2; exit 1; }
# the command names: the first word of each line of "commands:", up to its
# first blank line
cmds=$(awk '/^commands:[ \t]*$/ { on = 1; next }
            on && /^[ \t]*$/ { exit }
            on { print $1 }' "$tmp/top")
if [ -z "$cmds" ]; then
  echo "manpages.sh: no commands found in $aekit --help" >&2
  exit 1
fi
for c in $cmds; do
  case $c in
  *[!a-z0-9-]* | -*) echo "manpages.sh: odd command name '$c'" >&2; exit 1 ;;
  esac
  "$aekit" "$c" --help >"$tmp/cmd-$c" || { echo "manpages.sh: $aekit $c --help failed" >&2; exit 1; }
done

# The help texts have this shape (cli/main.c usage(), cli/args.c print_usage()):
#   usage: aekit ...            (continued on indented lines)
#   <blank>
#   description paragraphs      (blank lines between; indented lines kept as they are)
#   <blank>
#   options:                    (or commands:, examples:, any "word:" heading)
#     -s, --long ARG   help     (left part and help apart by 2+ spaces, or one
#                               space where the left part fills its column)
# Everything read from the help is escaped for roff (\ as \e, - as \-, a
# line never starts with . or ').
program='
function esc(s,   o, i, c, n) {
  o = ""
  n = length(s)
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    if (c == BS) o = o BS "e"
    else if (c == "-") o = o BS "-"
    else o = o c
  }
  return o
}
# a text line: one that starts with . or \047 would be a request
function txt(s,   c) {
  c = substr(s, 1, 1)
  return (c == "." || c == Q) ? BS "&" s : s
}
function emit(s) { print txt(s) }
function has(list, w) { return index(" " list " ", " " w " ") > 0 }
# bold and italic; NH (\%) at the start of a word: never hyphenated
function b(s) { return BS "fB" esc(s) BS "fR" }
function it(s) { return BS "fI" esc(s) BS "fR" }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
# a word of running text: options and "aekit COMMAND" in bold
function prose(s,   n, w, i, out, core, pre, post, nx) {
  n = split(s, w, " ")
  out = ""
  for (i = 1; i <= n; i++) {
    core = w[i]; pre = ""; post = ""
    while (core ~ /^[[(]/) { pre = pre substr(core, 1, 1); core = substr(core, 2) }
    while (core ~ /[]),.;:]$/) { post = substr(core, length(core)) post; core = substr(core, 1, length(core) - 1) }
    if (core == "aekit" && i < n) {
      nx = w[i + 1]
      sub(/[]),.;:]+$/, "", nx)
      if (has(CMDS, nx)) {
        post = substr(w[i + 1], length(nx) + 1)
        w[i] = NH esc(pre) b("aekit") " " NH b(nx) esc(post)
        out = out (out == "" ? "" : " ") w[i]
        i++
        continue
      }
    }
    if (core ~ /^--[a-z0-9][a-z0-9-]*$/ || (core ~ /^-[A-Za-z0-9]$/ && (core in SHORT)))
      out = out (out == "" ? "" : " ") NH esc(pre) b(core) esc(post)
    else
      out = out (out == "" ? "" : " ") esc(w[i])
  }
  return out
}
# a synopsis: option names and commands bold, placeholders italic
function synopsis(s,   n, w, i, out, core, pre, post, f) {
  n = split(s, w, " ")
  out = ""
  for (i = 1; i <= n; i++) {
    core = w[i]; pre = ""; post = ""
    while (core ~ /^[[(]/) { pre = pre substr(core, 1, 1); core = substr(core, 2) }
    while (core ~ /[])]$/) { post = substr(core, length(core)) post; core = substr(core, 1, length(core) - 1) }
    if (core == "") f = esc(w[i])
    else if (core ~ /^-/ || core == "aekit" || (i == 2 && has(CMDS " help", core)))
      f = NH esc(pre) b(core) esc(post)
    else if (core ~ /^[A-Z]/) f = NH esc(pre) it(core) esc(post)
    else f = esc(w[i])
    out = out (out == "" ? "" : " ") f
  }
  return out
}
# one entry of a list section: sets E_OPT (1 for an option), E_TAG (roff),
# E_NAME (the first name), E_HELP (raw text)
function entry(text,   left, n, t, i, names, arg, nm) {
  if (match(text, /[ \t][ \t]+/)) {
    left = substr(text, 1, RSTART - 1)
    E_HELP = substr(text, RSTART + RLENGTH)
  } else { # the left part filled its column: its names, then CAPITAL arguments
    n = split(text, t, " ")
    left = t[1]
    for (i = 2; i <= n; i++) {
      if (t[i - 1] ~ /,$/ && t[i] ~ /^-/) left = left " " t[i]
      else if (t[i] ~ /^[[<]?[A-Z][A-Z0-9_.,|=:]*[]>]?$/) left = left " " t[i]
      else break
    }
    E_HELP = ""
    for (; i <= n; i++) E_HELP = E_HELP (E_HELP == "" ? "" : " ") t[i]
  }
  n = split(left, t, " ")
  E_OPT = t[1] ~ /^-/
  E_TAG = ""; arg = ""; names = 0
  for (i = 1; i <= n; i++) {
    if (E_OPT && t[i] ~ /^-/ && arg == "") {
      nm = t[i]
      sub(/,$/, "", nm)
      if (match(nm, /[[=]/)) { arg = substr(nm, RSTART); nm = substr(nm, 1, RSTART - 1) }
      if (names++ == 0) E_NAME = nm
      if (nm ~ /^-[A-Za-z0-9]$/) SHORT[nm] = 1
      E_TAG = E_TAG (E_TAG == "" ? "" : ", ") NH b(nm)
      if (arg != "") E_TAG = E_TAG it(arg)
    } else if (!E_OPT && i == 1) {
      E_NAME = t[1]
      E_TAG = b(t[1])
    } else {
      E_TAG = E_TAG " " NH it(t[i])
    }
  }
}
function flush_par() {
  if (par != "") {
    buf[sec] = buf[sec] ".PP\n" par "\n"
    if (first == "") first = rawpar
    par = ""; rawpar = ""
  }
}
function flush_verb() {
  sub(/\n+$/, "\n", verb)
  if (verb != "") { buf[sec] = buf[sec] ".PP\n.RS 4\n.nf\n" verb ".fi\n.RE\n"; verb = "" }
}
function flush_entry() {
  if (ehelp != "" || etag != "") {
    if (eopt) key = "OPTIONS"
    else key = sec
    buf[key] = buf[key] ".TP\n" etag "\n"
    if (ehelp != "") buf[key] = buf[key] txt(prose(ehelp)) "\n"
    if (!eopt && sec == "COMMANDS" && has(CMDS, ename))
      buf[key] = buf[key] NH "(" b("aekit-" ename) "(1))\n"
    if (!eopt && sec == "COMMANDS" && !has(CMDS, ename)) extra[++nextra] = etag
    if (eopt && MODE == "top") extra[++nextra] = etag
    if (!(key in seen)) { seen[key] = 1; order[++norder] = key }
    etag = ""; ehelp = ""
  }
}
function section(name) {
  flush_par(); flush_verb(); flush_entry()
  sec = toupper(name)
  if (sec == "EXAMPLE") sec = "EXAMPLES"
  list = (sec == "OPTIONS" || sec == "COMMANDS")
  if (!list && !(sec in seen)) { seen[sec] = 1; order[++norder] = sec }
}
{ H[++nh] = $0 }
END {
  BS = "\\"; Q = "\047"; NH = BS "%"
  CMDS = ENVIRON["AE_CMDS"]
  if (nh == 0 || H[1] !~ /^usage:/) { print "manpages.sh: no usage line" > "/dev/stderr"; exit 1 }
  syn = H[1]; sub(/^usage:[ \t]*/, "", syn)
  for (i = 2; i <= nh && H[i] ~ /^[ \t]+[^ \t]/; i++) syn = syn " " trim(H[i])
  remark = ""
  if (match(syn, /   +/)) { remark = trim(substr(syn, RSTART)); syn = substr(syn, 1, RSTART - 1) }
  # first pass over the options: the short names that the prose may show
  for (j = i; j <= nh; j++)
    if (H[j] ~ /^[ \t]+-/) { entry(trim(H[j])) }
  sec = "DESCRIPTION"; seen[sec] = 1; order[++norder] = sec
  list = 0; par = ""; rawpar = ""; first = ""; verb = ""; etag = ""; ehelp = ""; nextra = 0
  for (; i <= nh; i++) {
    line = H[i]
    if (line ~ /^[A-Za-z][A-Za-z -]*:[ \t]*$/) { sub(/:[ \t]*$/, "", line); section(line); continue }
    if (line ~ /^[ \t]*$/) { flush_par(); flush_entry(); if (verb != "") verb = verb "\n"; continue }
    if (list) {
      match(line, /^[ \t]*/)
      if (RLENGTH > eind + 2 && etag != "") { ehelp = ehelp " " trim(line); continue }
      flush_entry()
      eind = RLENGTH
      entry(trim(line))
      eopt = E_OPT; etag = E_TAG; ename = E_NAME; ehelp = E_HELP
      continue
    }
    if (line ~ /^[ \t]/ || sec == "EXAMPLES") {
      flush_par()
      t = line; sub(/^  /, "", t)
      c = substr(t, 1, 1)
      verb = verb txt(esc(t)) "\n"
      continue
    }
    flush_verb()
    par = par (par == "" ? "" : "\n") txt(prose(line))
    rawpar = rawpar (rawpar == "" ? "" : " ") trim(line)
  }
  section("")

  title = MODE == "top" ? "aekit" : "aekit-" CMD
  print ".\\\" " title ".1 -- made by scripts/manpages.sh from `" (MODE == "top" ? "aekit" : "aekit " CMD) " --help`; do not edit"
  print ".TH " toupper(esc(title)) " 1 \"\" \"aekit " esc(ENVIRON["AE_VERSION"]) "\" \"aekit manual\""
  print ".SH NAME"
  if (MODE == "top") {
    # the first sentence of the description
    d = first
    if (match(d, /\. /)) d = substr(d, 1, RSTART)
    sub(/\.$/, "", d)
    d = tolower(substr(d, 1, 1)) substr(d, 2)
    emit(esc("aekit") " " BS "- " prose(d))
  } else {
    s = ENVIRON["AE_SUMMARY"]
    emit(esc(title) " " BS "- " prose(s))
  }
  print ".SH SYNOPSIS"
  print ".ad l"
  emit(synopsis(syn))
  for (k = 1; k <= nextra; k++) { print ".br"; emit(b("aekit") " " extra[k]) }
  print ".ad"
  print ".SH DESCRIPTION"
  d = buf["DESCRIPTION"]; sub(/^\.PP\n/, "", d); printf "%s", d
  if (MODE == "top") {
    print ".PP"
    print "Each command prints its options with"
    print NH b("aekit") " " it("command") " " b("--help") ";"
    print "its page is " NH BS "fBaekit" BS "-" BS "fIcommand" BS "fR(1)."
  }
  if ("COMMANDS" in buf) { print ".SH COMMANDS"; printf "%s", buf["COMMANDS"] }
  if ("OPTIONS" in buf) { print ".SH OPTIONS"; printf "%s", buf["OPTIONS"] }
  for (k = 1; k <= norder; k++) {
    s = order[k]
    if (s == "DESCRIPTION" || s == "COMMANDS" || s == "OPTIONS" || s == "EXAMPLES" || !(s in buf)) continue
    print ".SH " esc(s); printf "%s", buf[s]
  }
  if ("EXAMPLES" in buf) { print ".SH EXAMPLES"; printf "%s", buf["EXAMPLES"] }
  if (MODE == "top") {
    while ((getline l < ENVIRON["AE_ENV"]) > 0) print l
  }
  print ".SH SEE ALSO"
  n = split(CMDS, cl, " ")
  refs = 0
  if (MODE != "top") refs = refs + 1
  for (k = 1; k <= n; k++) if (cl[k] != CMD) refs++
  left = refs
  if (MODE != "top") { left--; print ".BR " NH "aekit (1)" (left ? "," : "") }
  for (k = 1; k <= n; k++) {
    if (cl[k] == CMD) continue
    left--
    print ".BR " NH esc("aekit-" cl[k]) " (1)" (left ? "," : "")
  }
}'

# ENVIRONMENT and EXIT STATUS of aekit.1: what the code reads, written by
# hand from the getenv calls (cli/progress.c cli_progress_begin, cli/args.c
# cli_load, src/io/fileio.c ae_out_open, src/core/dist.c) and cli_error
cat >"$tmp/env" <<'EOF'
.SH ENVIRONMENT
.TP
.B AEKIT_PROGRESS
The progress bar that eval, score, encode, reconstruct, probe and search
draw on standard error: by default only when standard error is a terminal
and the work lasts more than half a second;
.B never
turns it off,
.B always
draws it at once, terminal or not.
.TP
.B AEKIT_FASHION_DIR
The folder of the Fashion\-MNIST IDX files
\%(train\-images\-idx3\-ubyte.gz, \%t10k\-images\-idx3\-ubyte.gz and their
label files) that commands read when no
.B \-\-data
is given; by default
.IR \%/usr/share/datasets/fashion\-mnist .
.TP
.B TMPDIR
Where a plot (a PNG drawn by PLplot: loss curve, ROC curve, series plot)
is drawn first when its output is a device, a pipe or standard output;
an absolute path, by default
.IR /tmp .
.TP
.BR OMPI_COMM_WORLD_SIZE ", " PMI_SIZE ", " PMIX_RANK
Set by an MPI launcher such as
.BR mpirun (1):
then train, eval, encode and score run as the ranks of one job, and only
rank 0 prints and writes.
.SH EXIT STATUS
0 on success; 1 on an error, reported on standard error as one line that
starts with
.BR "aekit: error:" .
EOF

mkdir -p "$out"
export AE_CMDS AE_VERSION AE_ENV AE_SUMMARY
AE_CMDS=$(printf '%s\n' "$cmds" | tr '\n' ' ' | sed 's/ $//')
AE_VERSION=$version
AE_ENV=$tmp/env
AE_SUMMARY=
awk -v MODE=top -v CMD= "$program" "$tmp/top" >"$tmp/aekit.1"
for c in $cmds; do
  AE_SUMMARY=$(awk -v c="$c" '/^commands:/ { on = 1; next } on && !NF { exit }
    on && $1 == c { sub(/^[ \t]*[^ \t]+[ \t]+/, ""); print; exit }' "$tmp/top")
  awk -v MODE=cmd -v CMD="$c" "$program" "$tmp/cmd-$c" >"$tmp/aekit-$c.1"
done
# all or nothing: the pages go to OUTDIR only once every one was made, and
# no page of a command that is gone stays there
rm -f "$out/aekit.1" "$out"/aekit-*.1
for f in "$tmp"/*.1; do
  mv "$f" "$out/"
done
