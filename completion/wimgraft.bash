# wimgraft.bash - bash completion for wimgraft: commands, each command's options (read from
# 'wimgraft COMMAND --help', so it follows the binary), shipped manifest names for -m, and for
# -t 'all' with the image indexes of the WIM given with -w (for -i, those of the -s source).
# Installed as /usr/share/bash-completion/completions/wimgraft.

# The folders the binary searches for shipped manifests, in its order.
_wimgraft_manifest_dirs()
{
    local bin=$1 exe
    [[ -n $WIMGRAFT_MANIFEST_DIR ]] && printf '%s\n' "$WIMGRAFT_MANIFEST_DIR"
    exe=$(type -P -- "$bin" 2>/dev/null) || exe=
    if [[ -n $exe ]]; then
        exe=$(readlink -f -- "$exe")
        printf '%s\n' "${exe%/*}/manifests" "${exe%/*}/../share/wimgraft/manifests"
    fi
    printf '%s\n' /usr/share/wimgraft/manifests /usr/local/share/wimgraft/manifests
}

_wimgraft_manifests()
{
    local dir f
    while IFS= read -r dir; do
        for f in "$dir"/*.xml; do
            [[ -f $f ]] && f=${f##*/} && printf '%s\n' "${f%.xml}"
        done
    done < <(_wimgraft_manifest_dirs "$1") | sort -u
}

# The image indexes 'wimgraft info --json SOURCE' lists, for a WIM (it starts with MSWIM) or a
# payload folder; never for an ISO, whose install image would be copied out on a Tab.
_wimgraft_images()
{
    [[ -d $2 || ( -f $2 && $(head -c 5 -- "$2" 2>/dev/null) == MSWIM ) ]] || return 0
    "$1" info --json --no-progress "$2" 2>/dev/null |
        sed -n 's/^ *"index": *\([0-9][0-9]*\).*/\1/p'
}

# Files named like WIMs (.wim, .esd, .swm in any case), and folders.
_wimgraft_wims()
{
    local f
    while IFS= read -r f; do
        case ${f,,} in *.wim | *.esd | *.swm) printf '%s\n' "$f" ;; esac
    done < <(compgen -f -- "$1")
    compgen -d -- "$1"
}

# The value given to one of the options named in $2... on the command line so far.
_wimgraft_option_value()
{
    local i
    for ((i = 2; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        "$1" | "$2") printf '%s\n' "${COMP_WORDS[i + 1]}"; return ;;
        "$2"=*) printf '%s\n' "${COMP_WORDS[i]#*=}"; return ;;
        esac
    done
}

_wimgraft()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local bin=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]} value
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "$("$bin" --help 2>/dev/null |
            sed -n 's/^  wimgraft \([a-z-]*\) .*/\1/p' | sort -u) --help --version" -- "$cur"))
        return 0
    fi
    case $prev in
    -m | --manifest)
        COMPREPLY=($(compgen -W "$(_wimgraft_manifests "$bin")" -- "$cur"))
        COMPREPLY+=($(compgen -f -X '!*.xml' -- "$cur") $(compgen -d -- "$cur"))
        return 0 ;;
    -t | --target-image)
        value=$(_wimgraft_option_value -w --wim)
        COMPREPLY=($(compgen -W "all $([[ -n $value ]] && _wimgraft_images "$bin" "$value")" -- "$cur"))
        return 0 ;;
    -i | --source-image)
        value=$(_wimgraft_option_value -s --source)
        [[ -z $value ]] || COMPREPLY=($(compgen -W "$(_wimgraft_images "$bin" "$value")" -- "$cur"))
        return 0 ;;
    -w | --wim)
        COMPREPLY=($(_wimgraft_wims "$cur"))
        return 0 ;;
    -d | --image-dir)
        COMPREPLY=($(compgen -d -- "$cur"))
        return 0 ;;
    -s | --source | -o | --output | --log | --team)
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0 ;;
    -D | --param)
        return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$("$bin" "$cmd" --help 2>/dev/null |
            grep -o -- '^ *\(-[a-zA-Z], \)\?--[a-z-]*' | tr -d ',')" -- "$cur"))
        return 0
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
}
complete -o filenames -o bashdefault -F _wimgraft wimgraft
