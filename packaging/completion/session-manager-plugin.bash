# bash completion for session-manager-plugin                  -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/session-manager-plugin (loaded on demand
# by bash-completion); also works when sourced on its own.

# Profile names from the AWS config and credentials files (AWS_CONFIG_FILE and
# AWS_SHARED_CREDENTIALS_FILE move them): "[profile NAME]" and "[default]" in the config file,
# "[NAME]" in the credentials file. Other config sections ([sso-session x], [services x]) are
# not profiles.
_session_manager_plugin_profiles()
{
    local config=${AWS_CONFIG_FILE:-$HOME/.aws/config}
    local credentials=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
    config=${config/#\~\//$HOME/}
    credentials=${credentials/#\~\//$HOME/}
    {
        [[ -r $config ]] && command sed -n \
            -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^][:space:]]*\)[[:space:]]*\].*/\1/p' \
            -e 's/^[[:space:]]*\[[[:space:]]*\(default\)[[:space:]]*\].*/\1/p' -- "$config"
        [[ -r $credentials ]] && command sed -n \
            -e 's/^[[:space:]]*\[[[:space:]]*\([^][:space:]]*\)[[:space:]]*\].*/\1/p' -- "$credentials"
    } 2>/dev/null | command sort -u
}

_session_manager_plugin()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi

    local subcommands="start-session shell port-forward ssh-proxy list"
    local common="--profile --region --endpoint-url -q --quiet -v --verbose -h --help"

    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "$subcommands --version --help" -- "$cur"))
        return
    fi

    # The subcommand comes first, its options after it. Any other first argument is --version,
    # --help, or the AWS CLI's positional contract, which is not for typing.
    local subcommand=${words[1]}
    case " $subcommands " in
        *" $subcommand "*) ;;
        *) return ;;
    esac

    case $prev in
        --profile)
            COMPREPLY=($(compgen -W "$(_session_manager_plugin_profiles)" -- "$cur"))
            return
            ;;
        --region)
            COMPREPLY=($(compgen -W "us-east-1 us-east-2 us-west-1 us-west-2 af-south-1
                ap-east-1 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3
                ap-southeast-4 ap-northeast-1 ap-northeast-2 ap-northeast-3 ca-central-1
                ca-west-1 eu-central-1 eu-central-2 eu-west-1 eu-west-2 eu-west-3 eu-south-1
                eu-south-2 eu-north-1 il-central-1 me-south-1 me-central-1 sa-east-1
                cn-north-1 cn-northwest-1 us-gov-east-1 us-gov-west-1" -- "$cur"))
            return
            ;;
        --document-name)
            COMPREPLY=($(compgen -W "SSM-SessionManagerRunShell AWS-StartSSHSession
                AWS-StartPortForwardingSession AWS-StartPortForwardingSessionToRemoteHost
                AWS-StartInteractiveCommand AWS-StartNonInteractiveCommand" -- "$cur"))
            return
            ;;
        --pick)
            COMPREPLY=($(compgen -W "ask first" -- "$cur"))
            return
            ;;
        --endpoint-url | --target | --parameters | --reason | -L | --local-forward | -D | --dynamic-forward | \
            --idle-session | --max-sessions | --filter)
            return  # a value of the user's own
            ;;
    esac

    if [[ $subcommand == ssh-proxy && $cur != -* ]]; then
        return  # HOST PORT, as ssh's ProxyCommand passes them (%h %p)
    fi

    local options
    case $subcommand in
        start-session) options="--target --document-name --parameters --reason --pick" ;;
        shell) options="--target --reason --pick" ;;
        port-forward) options="--target -L --local-forward -D --dynamic-forward --idle-session --max-sessions --once --reason --pick" ;;
        ssh-proxy) options="--reason --pick" ;;
        list) options="--json --filter" ;;
    esac
    COMPREPLY=($(compgen -W "$options $common" -- "$cur"))
}
complete -F _session_manager_plugin session-manager-plugin

# ex: filetype=sh
