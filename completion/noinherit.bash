# bash completion for noinherit(1)                      -*- shell-script -*-
#
#   noinherit audit [-p PID... | --all] [--std] [--inherited] [--json]
#   noinherit exec [--pass-fd N]... [--map-fd FROM:TO]... -- CMD [ARG...]
#   noinherit trace [-o FILE] [--json] [--fail-on-leak] [--sarif FILE]
#                   [--allow PATTERN] [--pass-fd N] [--map-fd FROM:TO]
#                   -- CMD [ARG...]
#   noinherit enforce -- CMD [ARG...]
#   noinherit features
#   noinherit -h | --help | -V | --version

# The open descriptors of this shell, for --pass-fd and --map-fd.
_noinherit_fds()
{
    local fd fds=()
    for fd in /proc/$$/fd/*; do
        fd=${fd##*/}
        [[ $fd =~ ^[0-9]+$ ]] && fds+=("$fd")
    done
    printf '%s\n' "${fds[@]}"
}

_noinherit_audit()
{
    local cur=$1 prev=$2
    case $prev in
        -p|--pid)
            # Pids, with the command name shown by ps when listing.
            COMPREPLY=($(compgen -W "$(command ps -e -o pid= 2>/dev/null)" \
                -- "$cur"))
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-p --pid --all --std --inherited --json
            -h --help' -- "$cur"))
    elif [[ " ${COMP_WORDS[*]} " == *" -p "* || " ${COMP_WORDS[*]} " == *" --pid "* ]]; then
        # After -p, further operands are pids too.
        COMPREPLY=($(compgen -W "$(command ps -e -o pid= 2>/dev/null)" \
            -- "$cur"))
    fi
}

_noinherit_exec()
{
    local cur=$1 prev=$2 i
    # After "--": the command and its arguments.
    for ((i = 2; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == -- ]]; then
            if ((COMP_CWORD == i + 1)); then
                COMPREPLY=($(compgen -c -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return
        fi
    done
    case $prev in
        --pass-fd)
            COMPREPLY=($(compgen -W "$(_noinherit_fds)" -- "$cur"))
            return
            ;;
        --map-fd)
            [[ $cur != *:* ]] &&
                COMPREPLY=($(compgen -S : -W "$(_noinherit_fds)" -- "$cur")) &&
                compopt -o nospace 2>/dev/null
            return
            ;;
    esac
    COMPREPLY=($(compgen -W '--pass-fd --map-fd -- -h --help' -- "$cur"))
}

# trace and enforce: past their options (and -o FILE), the command, then
# its arguments as files.  Returns 1 while the word is still an option.
_noinherit_wrapped()
{
    local cur=$1 i=2
    while ((i < COMP_CWORD)); do
        case ${COMP_WORDS[i]} in
            --) ((i++)); break ;;
            -o|--output|--sarif|--allow|--pass-fd|--map-fd) ((i += 2)) ;;
            -*) ((i++)) ;;
            *) break ;;
        esac
    done
    if ((COMP_CWORD == i)) && [[ $cur != -* || ${COMP_WORDS[i-1]} == -- ]]; then
        COMPREPLY=($(compgen -c -- "$cur"))
        return 0
    fi
    if ((COMP_CWORD > i)); then
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
    fi
    return 1
}

_noinherit_trace()
{
    local cur=$1 prev=$2
    _noinherit_wrapped "$cur" && return
    case $prev in
        -o|--output|--sarif)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --allow)
            return
            ;;
        --pass-fd)
            COMPREPLY=($(compgen -W "$(_noinherit_fds)" -- "$cur"))
            return
            ;;
        --map-fd)
            [[ $cur != *:* ]] &&
                COMPREPLY=($(compgen -S : -W "$(_noinherit_fds)" -- "$cur")) &&
                compopt -o nospace 2>/dev/null
            return
            ;;
    esac
    COMPREPLY=($(compgen -W '-o --output --json --fail-on-leak --sarif
        --allow --pass-fd --map-fd -- -h --help' -- "$cur"))
}

_noinherit_enforce()
{
    local cur=$1
    _noinherit_wrapped "$cur" && return
    COMPREPLY=($(compgen -W '-- -h --help' -- "$cur"))
}

_noinherit()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W 'audit enforce exec features trace -h --help
            -V --version' -- "$cur"))
        return
    fi
    case ${COMP_WORDS[1]} in
        audit) _noinherit_audit "$cur" "$prev" ;;
        exec) _noinherit_exec "$cur" "$prev" ;;
        trace) _noinherit_trace "$cur" "$prev" ;;
        enforce) _noinherit_enforce "$cur" ;;
        features) COMPREPLY=($(compgen -W '-h --help' -- "$cur")) ;;
    esac
} &&
    complete -F _noinherit noinherit

# ex: filetype=sh
