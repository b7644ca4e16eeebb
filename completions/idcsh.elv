
use builtin;
use str;

set edit:completion:arg-completer[idcsh] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'idcsh'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'idcsh'= {
            cand -p 'AWS profile [default: $AWS_PROFILE, else "default"]'
            cand --profile 'AWS profile [default: $AWS_PROFILE, else "default"]'
            cand --region 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile''s region or sso_region]'
            cand --endpoint-url 'Send every AWS call to this endpoint (local emulators such as moto) [env: AWS_ENDPOINT_URL]'
            cand --identity-store-id 'Identity Store ID; skips discovery through ListInstances'
            cand --instance-arn 'Identity Center instance ARN; skips discovery through ListInstances'
            cand --data 'Offline: make this JSON document the root ("-" reads stdin)'
            cand -c 'Run this line, then exit (repeatable; lines run in order); --query as in the AWS CLI'
            cand --query 'Run this line, then exit (repeatable; lines run in order); --query as in the AWS CLI'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --concurrency 'Most AWS requests in flight at once in fan-out fetches'
            cand --cache-max-age 'Oldest cached collection to use: seconds, or 30m, 12h, 7d [default: 5m in scripts; 7d in the shell, which refreshes what is over 5m old in the background]'
            cand --cli-connect-timeout 'Seconds to wait for a connection to AWS (0: no limit), as the AWS CLI''s option'
            cand --cli-read-timeout 'Seconds to wait for AWS to answer (0: no limit), as the AWS CLI''s option'
            cand --history-file 'History file [default: $XDG_DATA_HOME/idcsh/history]'
            cand --queries 'A team''s saved queries (TOML, as queries.toml), read beside your own (repeatable)'
            cand --editing-mode 'Line editing keys: emacs or vi [default: as `set editing-mode` in ~/.inputrc, else emacs]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --compat 'JMESPath as the AWS CLI''s --query reads it, as the specification does, or with the Community edition'
            cand --demo 'Use the built-in sample directory: no AWS account, no network'
            cand --bail 'Script mode: stop at the first failing line'
            cand -y 'Do not ask before write commands'
            cand --yes 'Do not ask before write commands'
            cand --no-history 'Do not read or write the history file'
            cand --no-cache 'Neither load collections from the disk cache nor write them there'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand completions 'Print a completion script for SHELL'
            cand run 'Run a saved query by name, as `.run NAME ARGS...` (for cron and scripts)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'idcsh;completions'= {
            cand -p 'AWS profile [default: $AWS_PROFILE, else "default"]'
            cand --profile 'AWS profile [default: $AWS_PROFILE, else "default"]'
            cand --region 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile''s region or sso_region]'
            cand --data 'Offline: make this JSON document the root ("-" reads stdin)'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --queries 'A team''s saved queries (TOML, as queries.toml), read beside your own (repeatable)'
            cand --demo 'Use the built-in sample directory: no AWS account, no network'
            cand --no-cache 'Neither load collections from the disk cache nor write them there'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'idcsh;run'= {
            cand -p 'AWS profile [default: $AWS_PROFILE, else "default"]'
            cand --profile 'AWS profile [default: $AWS_PROFILE, else "default"]'
            cand --region 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile''s region or sso_region]'
            cand --data 'Offline: make this JSON document the root ("-" reads stdin)'
            cand -o 'Output format [default: table on a terminal, json otherwise]'
            cand --output 'Output format [default: table on a terminal, json otherwise]'
            cand --queries 'A team''s saved queries (TOML, as queries.toml), read beside your own (repeatable)'
            cand --demo 'Use the built-in sample directory: no AWS account, no network'
            cand --no-cache 'Neither load collections from the disk cache nor write them there'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'idcsh;help'= {
            cand completions 'Print a completion script for SHELL'
            cand run 'Run a saved query by name, as `.run NAME ARGS...` (for cron and scripts)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'idcsh;help;completions'= {
        }
        &'idcsh;help;run'= {
        }
        &'idcsh;help;help'= {
        }
    ]
    $completions[$command]
}
