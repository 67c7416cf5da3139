# strata.bash - bash completion for strata.  Commands come from 'strata
# --help' and each command's options from 'strata CMD --help' (the same
# tables the commands parse with), so the completion never goes stale.
_strata()
{
    local cur=${COMP_WORDS[COMP_CWORD]} cmd="" sub="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -*) ;;
        *) if [ -z "$cmd" ]; then cmd=${COMP_WORDS[i]}; elif [ -z "$sub" ]; then sub=${COMP_WORDS[i]}; fi ;;
        esac
    done
    if [ -z "$cmd" ]; then
        COMPREPLY=($(compgen -W "$(strata --help 2>/dev/null |
            awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
            --help --version" -- "$cur"))
        return
    fi
    case $cmd in
    trace | profile | policy)
        if [ -z "$sub" ]; then
            COMPREPLY=($(compgen -W "$(strata "$cmd" --help 2>/dev/null |
                awk '/^subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')" -- "$cur"))
            return
        fi
        cmd="$cmd $sub" ;;
    esac
    if [[ $cur == -* ]]; then
        # shellcheck disable=SC2086
        COMPREPLY=($(compgen -W "$(strata $cmd --help 2>/dev/null |
            grep -oE '^  (-[a-zA-Z], )?--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*$')" -- "$cur"))
        return
    fi
    if [ "$cmd" = "policy info" ]; then
        COMPREPLY=($(compgen -W "$(strata policy list 2>/dev/null | awk '/^[a-z]/ { print $1 }')" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _strata strata
