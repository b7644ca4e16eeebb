
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'idcsh' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'idcsh'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'idcsh' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'AWS profile [default: $AWS_PROFILE, else "default"]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile [default: $AWS_PROFILE, else "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile''s region or sso_region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint (local emulators such as moto) [env: AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--identity-store-id', '--identity-store-id', [CompletionResultType]::ParameterName, 'Identity Store ID; skips discovery through ListInstances')
            [CompletionResult]::new('--instance-arn', '--instance-arn', [CompletionResultType]::ParameterName, 'Identity Center instance ARN; skips discovery through ListInstances')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Offline: make this JSON document the root ("-" reads stdin)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Run this line, then exit (repeatable; lines run in order); --query as in the AWS CLI')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Run this line, then exit (repeatable; lines run in order); --query as in the AWS CLI')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Most AWS requests in flight at once in fan-out fetches')
            [CompletionResult]::new('--cache-max-age', '--cache-max-age', [CompletionResultType]::ParameterName, 'Oldest cached collection to use: seconds, or 30m, 12h, 7d [default: 5m in scripts; 7d in the shell, which refreshes what is over 5m old in the background]')
            [CompletionResult]::new('--cli-connect-timeout', '--cli-connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a connection to AWS (0: no limit), as the AWS CLI''s option')
            [CompletionResult]::new('--cli-read-timeout', '--cli-read-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for AWS to answer (0: no limit), as the AWS CLI''s option')
            [CompletionResult]::new('--history-file', '--history-file', [CompletionResultType]::ParameterName, 'History file [default: $XDG_DATA_HOME/idcsh/history]')
            [CompletionResult]::new('--queries', '--queries', [CompletionResultType]::ParameterName, 'A team''s saved queries (TOML, as queries.toml), read beside your own (repeatable)')
            [CompletionResult]::new('--editing-mode', '--editing-mode', [CompletionResultType]::ParameterName, 'Line editing keys: emacs or vi [default: as `set editing-mode` in ~/.inputrc, else emacs]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--compat', '--compat', [CompletionResultType]::ParameterName, 'JMESPath as the AWS CLI''s --query reads it, as the specification does, or with the Community edition')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Use the built-in sample directory: no AWS account, no network')
            [CompletionResult]::new('--bail', '--bail', [CompletionResultType]::ParameterName, 'Script mode: stop at the first failing line')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before write commands')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before write commands')
            [CompletionResult]::new('--no-history', '--no-history', [CompletionResultType]::ParameterName, 'Do not read or write the history file')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither load collections from the disk cache nor write them there')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a saved query by name, as `.run NAME ARGS...` (for cron and scripts)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'idcsh;completions' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'AWS profile [default: $AWS_PROFILE, else "default"]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile [default: $AWS_PROFILE, else "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile''s region or sso_region]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Offline: make this JSON document the root ("-" reads stdin)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--queries', '--queries', [CompletionResultType]::ParameterName, 'A team''s saved queries (TOML, as queries.toml), read beside your own (repeatable)')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Use the built-in sample directory: no AWS account, no network')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither load collections from the disk cache nor write them there')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'idcsh;run' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'AWS profile [default: $AWS_PROFILE, else "default"]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile [default: $AWS_PROFILE, else "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile''s region or sso_region]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Offline: make this JSON document the root ("-" reads stdin)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json otherwise]')
            [CompletionResult]::new('--queries', '--queries', [CompletionResultType]::ParameterName, 'A team''s saved queries (TOML, as queries.toml), read beside your own (repeatable)')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Use the built-in sample directory: no AWS account, no network')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither load collections from the disk cache nor write them there')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'idcsh;help' {
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a saved query by name, as `.run NAME ARGS...` (for cron and scripts)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'idcsh;help;completions' {
            break
        }
        'idcsh;help;run' {
            break
        }
        'idcsh;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
