# bash completion for vport(8).
# Commands and each command's options come from vport itself (vport help),
# network names from net-list and port UUIDs from port-list: commands that
# only read and never create state, so completing is always safe.

_vport_commands() {
	"$@" help 2>/dev/null | sed -n '/^Commands:/,/^$/ s/^  \([a-z-]*\) .*/\1/p; /^Commands:/,/^$/ s/^  \([a-z-]*\)$/\1/p'
}

_vport_verb_options() { # _vport_verb_options VERB VPORT...
	local verb=$1
	shift
	"$@" help "$verb" 2>/dev/null | sed -n 's/^  \(--[a-z-]*\).*/\1/p'
}

_vport_networks() {
	"$@" net-list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_vport_ports() {
	"$@" port-list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_vport() {
	local cur prev words cword verb= i nargs=0
	local -a vport=("${COMP_WORDS[0]}")
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local globals="--json -j --pretty -p --state-dir --connect --help -h --version -V"

	# the command is the first word that is neither an option nor an option's value
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--state-dir)
			((i++))
			vport+=(--state-dir "${words[i]}")
			;;
		--connect=*) vport+=("${words[i]}") ;; # names and UUIDs then come from the daemon
		--mac | --owner | --owner-uuid | --portgroup | --vlan | --xml | --device | --generation) ((i++)) ;;
		-*) ;;
		*) if [ -z "$verb" ]; then verb=${words[i]}; else nargs=$((nargs + 1)); fi ;;
		esac
	done

	case $prev in
	--state-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--xml)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--mac | --owner | --owner-uuid | --portgroup | --vlan | --device | --generation)
		return
		;;
	esac

	if [ -z "$verb" ]; then
		COMPREPLY=($(compgen -W "$(_vport_commands "${vport[@]}") $globals" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_vport_verb_options "$verb" "${vport[@]}") $globals" -- "$cur"))
		return
	fi
	[ "$nargs" -gt 0 ] && [ "$verb" != vf-set-mac ] && return
	case $verb in
	help)
		COMPREPLY=($(compgen -W "$(_vport_commands "${vport[@]}")" -- "$cur"))
		;;
	net-undefine | net-start | net-destroy | net-autostart | net-dumpxml | net-info | port-create | port-list)
		COMPREPLY=($(compgen -W "$(_vport_networks "${vport[@]}")" -- "$cur"))
		;;
	port-prepare | port-activate | port-deactivate | port-delete | port-dumpxml)
		COMPREPLY=($(compgen -W "$(_vport_ports "${vport[@]}")" -- "$cur"))
		;;
	net-define)
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	vf-list | vf-set-mac)
		[ "$nargs" = 0 ] && COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur"))
		;;
	esac
}
complete -F _vport vport
