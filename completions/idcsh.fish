# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_idcsh_global_optspecs
    string join \n p/profile= region= endpoint-url= identity-store-id= instance-arn= demo data= c/query= o/output= bail y/yes concurrency= no-history no-cache cache-max-age= cli-connect-timeout= cli-read-timeout= history-file= queries= editing-mode= color= compat= h/help V/version
end

function __fish_idcsh_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_idcsh_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_idcsh_using_subcommand
    set -l cmd (__fish_idcsh_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c idcsh -n "__fish_idcsh_needs_command" -s p -l profile -d 'AWS profile [default: $AWS_PROFILE, else "default"]' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l region -d 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile\'s region or sso_region]' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l endpoint-url -d 'Send every AWS call to this endpoint (local emulators such as moto) [env: AWS_ENDPOINT_URL]' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l identity-store-id -d 'Identity Store ID; skips discovery through ListInstances' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l instance-arn -d 'Identity Center instance ARN; skips discovery through ListInstances' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l data -d 'Offline: make this JSON document the root ("-" reads stdin)' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -s c -l query -d 'Run this line, then exit (repeatable; lines run in order); --query as in the AWS CLI' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
yaml\t''
table\t''
wide\t'A table of every field: the brief columns of known items left aside'
text\t''
csv\t''"
complete -c idcsh -n "__fish_idcsh_needs_command" -l concurrency -d 'Most AWS requests in flight at once in fan-out fetches' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l cache-max-age -d 'Oldest cached collection to use: seconds, or 30m, 12h, 7d [default: 5m in scripts; 7d in the shell, which refreshes what is over 5m old in the background]' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l cli-connect-timeout -d 'Seconds to wait for a connection to AWS (0: no limit), as the AWS CLI\'s option' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l cli-read-timeout -d 'Seconds to wait for AWS to answer (0: no limit), as the AWS CLI\'s option' -r
complete -c idcsh -n "__fish_idcsh_needs_command" -l history-file -d 'History file [default: $XDG_DATA_HOME/idcsh/history]' -r -F
complete -c idcsh -n "__fish_idcsh_needs_command" -l queries -d 'A team\'s saved queries (TOML, as queries.toml), read beside your own (repeatable)' -r -F
complete -c idcsh -n "__fish_idcsh_needs_command" -l editing-mode -d 'Line editing keys: emacs or vi [default: as `set editing-mode` in ~/.inputrc, else emacs]' -r -f -a "emacs\t''
vi\t''"
complete -c idcsh -n "__fish_idcsh_needs_command" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c idcsh -n "__fish_idcsh_needs_command" -l compat -d 'JMESPath as the AWS CLI\'s --query reads it, as the specification does, or with the Community edition' -r -f -a "spec\t'The JMESPath specification (warns where the AWS CLI answers otherwise)'
aws-cli\t'The AWS CLI\'s --query, Python jmespath 1.0.1 (warns where the specification answers otherwise)'
community\t'The specification with the JMESPath Community functions (lower, upper, trim, split, replace, pad_left, find_first, group_by, items, zip...)'"
complete -c idcsh -n "__fish_idcsh_needs_command" -l demo -d 'Use the built-in sample directory: no AWS account, no network'
complete -c idcsh -n "__fish_idcsh_needs_command" -l bail -d 'Script mode: stop at the first failing line'
complete -c idcsh -n "__fish_idcsh_needs_command" -s y -l yes -d 'Do not ask before write commands'
complete -c idcsh -n "__fish_idcsh_needs_command" -l no-history -d 'Do not read or write the history file'
complete -c idcsh -n "__fish_idcsh_needs_command" -l no-cache -d 'Neither load collections from the disk cache nor write them there'
complete -c idcsh -n "__fish_idcsh_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c idcsh -n "__fish_idcsh_needs_command" -s V -l version -d 'Print version'
complete -c idcsh -n "__fish_idcsh_needs_command" -f -a "completions" -d 'Print a completion script for SHELL'
complete -c idcsh -n "__fish_idcsh_needs_command" -f -a "run" -d 'Run a saved query by name, as `.run NAME ARGS...` (for cron and scripts)'
complete -c idcsh -n "__fish_idcsh_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c idcsh -n "__fish_idcsh_using_subcommand completions" -s p -l profile -d 'AWS profile [default: $AWS_PROFILE, else "default"]' -r
complete -c idcsh -n "__fish_idcsh_using_subcommand completions" -l region -d 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile\'s region or sso_region]' -r
complete -c idcsh -n "__fish_idcsh_using_subcommand completions" -l data -d 'Offline: make this JSON document the root ("-" reads stdin)' -r
complete -c idcsh -n "__fish_idcsh_using_subcommand completions" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
yaml\t''
table\t''
wide\t'A table of every field: the brief columns of known items left aside'
text\t''
csv\t''"
complete -c idcsh -n "__fish_idcsh_using_subcommand completions" -l queries -d 'A team\'s saved queries (TOML, as queries.toml), read beside your own (repeatable)' -r -F
complete -c idcsh -n "__fish_idcsh_using_subcommand completions" -l demo -d 'Use the built-in sample directory: no AWS account, no network'
complete -c idcsh -n "__fish_idcsh_using_subcommand completions" -l no-cache -d 'Neither load collections from the disk cache nor write them there'
complete -c idcsh -n "__fish_idcsh_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c idcsh -n "__fish_idcsh_using_subcommand run" -s p -l profile -d 'AWS profile [default: $AWS_PROFILE, else "default"]' -r
complete -c idcsh -n "__fish_idcsh_using_subcommand run" -l region -d 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile\'s region or sso_region]' -r
complete -c idcsh -n "__fish_idcsh_using_subcommand run" -l data -d 'Offline: make this JSON document the root ("-" reads stdin)' -r
complete -c idcsh -n "__fish_idcsh_using_subcommand run" -s o -l output -d 'Output format [default: table on a terminal, json otherwise]' -r -f -a "json\t''
yaml\t''
table\t''
wide\t'A table of every field: the brief columns of known items left aside'
text\t''
csv\t''"
complete -c idcsh -n "__fish_idcsh_using_subcommand run" -l queries -d 'A team\'s saved queries (TOML, as queries.toml), read beside your own (repeatable)' -r -F
complete -c idcsh -n "__fish_idcsh_using_subcommand run" -l demo -d 'Use the built-in sample directory: no AWS account, no network'
complete -c idcsh -n "__fish_idcsh_using_subcommand run" -l no-cache -d 'Neither load collections from the disk cache nor write them there'
complete -c idcsh -n "__fish_idcsh_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c idcsh -n "__fish_idcsh_using_subcommand help; and not __fish_seen_subcommand_from completions run help" -f -a "completions" -d 'Print a completion script for SHELL'
complete -c idcsh -n "__fish_idcsh_using_subcommand help; and not __fish_seen_subcommand_from completions run help" -f -a "run" -d 'Run a saved query by name, as `.run NAME ARGS...` (for cron and scripts)'
complete -c idcsh -n "__fish_idcsh_using_subcommand help; and not __fish_seen_subcommand_from completions run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
