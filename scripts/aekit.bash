# SPDX-License-Identifier: MIT
# aekit.bash — bash completion for aekit (source it, or install it as
# bash-completion/completions/aekit). Commands come from `aekit --help`, a
# command's options and their values from `aekit COMMAND --help`, read the
# first time they are needed and kept in shell variables (_aekit_cache_*).
# Values: the presets a --model help lists, the choices an option's help
# names ("adam, adamw or sgd", "{a|b}", "a|b"), nothing for a number (N, X),
# file names otherwise. Works without the bash-completion package.

# _aekit_parse: a command's --help on stdin; prints one line per option,
# "NAMES<TAB>ARG<TAB>CHOICES" (names and choices apart by spaces; ARG "-"
# for a flag).
_aekit_parse() {
  awk '
  function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
  function words(list, sep,   n, a, i, w, out, k) { # the plain lowercase words of a list
    n = split(list, a, sep); out = ""; k = 0
    for (i = 1; i <= n; i++) {
      w = trim(a[i])
      if (w ~ /^[a-z0-9][a-z0-9_.-]*$/) { out = out (k++ ? " " : "") w }
    }
    return k >= 2 ? out : ""
  }
  function english(h,   t, n, a, i, w, out, k) { # "a, b or c (default a): ..."
    t = h # or "label: a, b or c ..."
    while (match(t, / ?\([^()]*\)/)) t = substr(t, 1, RSTART - 1) substr(t, RSTART + RLENGTH)
    if (match(t, /: /)) {
      if (substr(t, 1, RSTART - 1) ~ /^[A-Za-z-]+$/) t = substr(t, RSTART + 2)
      if (match(t, /: /)) t = substr(t, 1, RSTART - 1)
    }
    if (t !~ / or /) return ""
    gsub(/,? or /, ",", t)
    n = split(t, a, ","); out = ""; k = 0
    for (i = 1; i <= n; i++) {
      w = trim(a[i])
      if (w == "") continue
      if (w !~ /^[a-z][a-z0-9_-]*$/) break
      out = out (k++ ? " " : "") w
    }
    return k >= 2 ? out : ""
  }
  function choices(name, h,   c, n, t, i, w) {
    if (match(h, /presets? \([^)]*\)/)) { # -m: "preset (dense, deep, ...) or spec"
      c = substr(h, RSTART, RLENGTH); sub(/^[^(]*\(/, "", c); sub(/\)$/, "", c)
      if ((c = words(c, ",")) != "") return c
    }
    if (name in USAGE) return USAGE[name]
    n = split(h, t, " ")
    for (i = 1; i <= n; i++) { # "{a|b|c}" or "a|b|c" in the help
      w = t[i]; sub(/^[{(]/, "", w); sub(/[}),.;:]+$/, "", w)
      if (w ~ /^[a-z0-9-]+(\|[a-z0-9-]+)+$/ && (c = words(w, "|")) != "") return c
    }
    return english(h)
  }
  NR == 1 && /^usage:/ { usage = $0; inusage = 1; next }
  inusage && /^[ \t]+[^ \t]/ { usage = usage " " $0; next }
  { inusage = 0 }
  /^[A-Za-z][A-Za-z -]*:[ \t]*$/ { sec = $0; next }
  sec ~ /^options:/ && /^[ \t]+-/ { L[++nl] = trim($0) }
  END {
    n = split(usage, t, " ") # "--part full|encoder|decoder" in the usage
    for (i = 1; i < n; i++) {
      a = t[i]; gsub(/[][()]/, "", a); v = t[i + 1]; gsub(/[][(){}]/, "", v)
      if (a ~ /^-/ && v ~ /\|/ && (c = words(v, "|")) != "") USAGE[a] = c
    }
    for (j = 1; j <= nl; j++) {
      s = L[j]
      if (match(s, /[ \t][ \t]+/)) { left = substr(s, 1, RSTART - 1); h = substr(s, RSTART + RLENGTH) }
      else { # the names filled their column: names, then one CAPITAL argument
        n = split(s, t, " "); left = t[1]
        for (i = 2; i <= n && t[i - 1] ~ /,$/; i++) left = left " " t[i]
        if (i <= n && t[i] ~ /^[A-Z][A-Z0-9_]*$/) left = left " " t[i++]
        h = ""
        for (; i <= n; i++) h = h " " t[i]
      }
      n = split(left, t, " "); names = ""; arg = ""; c = ""
      for (i = 1; i <= n; i++) {
        w = t[i]; sub(/,$/, "", w)
        if (w ~ /^-/ && arg == "") {
          if (match(w, /\[?=/)) { arg = substr(w, RSTART); w = substr(w, 1, RSTART - 1) }
          names = names (names == "" ? "" : " ") w
        } else arg = arg (arg == "" ? "" : " ") w
      }
      if (names == "") continue
      if (arg != "") {
        k = split(names, nm, " ")
        for (i = 1; i <= k && c == ""; i++) c = choices(nm[i], h)
      }
      printf "%s\t%s\t%s\n", names, arg == "" ? "-" : arg, c
    }
  }'
}

# _aekit_table BIN COMMAND: that command's parsed options, cached
_aekit_table() {
  local var=_aekit_cache_${2//[!A-Za-z0-9]/_}
  if [[ -z ${!var+set} ]]; then
    local t
    t=$(LC_ALL=C "$1" "$2" --help 2>/dev/null | _aekit_parse)
    printf -v "$var" '%s' "$t"
  fi
  _aekit_t=${!var}
}

# _aekit_commands BIN: the command names, cached
_aekit_commands() {
  if [[ -z ${_aekit_cache__commands+set} ]]; then
    _aekit_cache__commands=$(LC_ALL=C "$1" --help 2>/dev/null | awk '
      /^commands:[ \t]*$/ { on = 1; next }
      on && /^[ \t]*$/ { exit }
      on { printf "%s ", $1 }')
    [[ -n $_aekit_cache__commands ]] && _aekit_cache__commands+=help
  fi
  _aekit_c=$_aekit_cache__commands
}

# _aekit_files WORD: file names
_aekit_files() {
  if declare -F _filedir >/dev/null 2>&1; then
    cur=$1
    _filedir
    return
  fi
  compopt -o filenames 2>/dev/null || :
  local f
  COMPREPLY=()
  while IFS= read -r f; do
    COMPREPLY+=("$f")
  done < <(compgen -f -- "$1")
}

# _aekit_words LIST WORD: the words of LIST that start with WORD
_aekit_words() {
  local w
  COMPREPLY=()
  for w in $1; do
    [[ $w == "$2"* ]] && COMPREPLY+=("$w")
  done
  return 0
}

_aekit() {
  local cur=${COMP_WORDS[COMP_CWORD]:-} prev=
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]:-}
  local bin=${COMP_WORDS[0]:-aekit} _aekit_c _aekit_t
  # shellcheck disable=SC2088 # a "~/" that the line did not expand
  [[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}
  type -P -- "$bin" >/dev/null 2>&1 || bin=aekit
  COMPREPLY=()

  if ((COMP_CWORD == 1)); then
    if [[ $cur == -* ]]; then
      _aekit_words "--help --version" "$cur"
    else
      _aekit_commands "$bin"
      _aekit_words "$_aekit_c" "$cur"
    fi
    return 0
  fi
  local cmd=${COMP_WORDS[1]:-}
  if [[ $cmd == help ]]; then
    if ((COMP_CWORD == 2)); then
      _aekit_commands "$bin"
      _aekit_words "${_aekit_c% help}" "$cur"
    fi
    return 0
  fi
  [[ $cmd == -* || -z $cmd ]] && return 0
  _aekit_table "$bin" "$cmd"

  # the option whose value this word is: "--opt VALUE", or "--opt=VALUE"
  # (bash splits it at "=": "--opt" "=" "VALUE"; without "=" in
  # COMP_WORDBREAKS the word is "--opt=VALUE" and so are the answers)
  local opt='' pre=''
  if [[ $cur == "=" && $prev == -* ]]; then
    opt=$prev cur=
  elif [[ $prev == "=" ]] && ((COMP_CWORD > 2)); then
    opt=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    pre=${cur%%=*}= opt=${cur%%=*} cur=${cur#*=}
  elif [[ $prev == -* ]]; then
    opt=$prev
  fi
  if [[ -n $opt ]]; then
    local names arg choices n
    while IFS=$'\t' read -r names arg choices; do
      for n in $names; do
        [[ $n == "$opt" ]] || continue
        [[ $arg == - ]] && break 2 # a flag: this word is not its value
        if [[ -n $choices ]]; then
          _aekit_words "$choices" "$cur"
        elif [[ ! $arg =~ ^(N|X|K|NUM|INT|COUNT)$ ]]; then
          _aekit_files "$cur"
        fi
        [[ -n $pre && ${#COMPREPLY[@]} -gt 0 ]] && COMPREPLY=("${COMPREPLY[@]/#/$pre}")
        return 0
      done
    done <<<"$_aekit_t"
  fi

  if [[ $cur == -* ]]; then
    local all='' names arg choices
    while IFS=$'\t' read -r names arg choices; do
      all+=" $names"
    done <<<"$_aekit_t"
    [[ " $all " == *" --help "* ]] || all+=" --help"
    _aekit_words "$all" "$cur"
    return 0
  fi
  _aekit_files "$cur" # MODEL, IMAGE.png ...
  return 0
}

complete -F _aekit aekit
