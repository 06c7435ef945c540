// Command run-as starts a container's process the way a container runtime does for a
// restricted pod: no new privileges, an empty capability bounding set and no ambient
// capabilities, then the container's groups, group and user, then exec of the command.
// It is static (standard library only), so it works inside a sandbox that holds nothing but
// an image's own files.
//
// Usage: run-as <uid> <gid> <group,group,...|-> <command> [args...]
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

const (
	prSetNoNewPrivs      = 38
	prCapBoundingDrop    = 24
	prCapAmbient         = 47
	prCapAmbientClearAll = 4
	lastCapability       = 63
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "run-as: "+format+"\n", args...)
	os.Exit(127)
}

func prctl(option, argument uintptr) syscall.Errno {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRCTL, option, argument, 0, 0, 0, 0)
	return errno
}

func id(text, what string) int {
	value, err := strconv.Atoi(text)
	if err != nil || value < 0 {
		fail("%s %q is not a numeric id", what, text)
	}
	return value
}

// lookPath resolves the command like execvp, with the container's PATH.
func lookPath(command string) string {
	if strings.Contains(command, "/") {
		return command
	}
	for _, directory := range strings.Split(os.Getenv("PATH"), ":") {
		candidate := directory + "/" + command
		if info, err := os.Stat(candidate); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return candidate
		}
	}
	fail("%s: not found in PATH", command)
	return ""
}

func main() {
	if len(os.Args) < 5 {
		fail("usage: run-as <uid> <gid> <groups|-> <command> [args...]")
	}
	uid, gid := id(os.Args[1], "uid"), id(os.Args[2], "gid")
	var groups []int
	if os.Args[3] != "-" {
		for _, group := range strings.Split(os.Args[3], ",") {
			groups = append(groups, id(group, "group"))
		}
	}
	if errno := prctl(prSetNoNewPrivs, 1); errno != 0 {
		fail("no_new_privs: %v", errno)
	}
	for capability := uintptr(0); capability <= lastCapability; capability++ {
		// Capabilities past the kernel's last one answer EINVAL.
		if errno := prctl(prCapBoundingDrop, capability); errno != 0 && errno != syscall.EINVAL {
			fail("dropping capability %d from the bounding set: %v", capability, errno)
		}
	}
	if errno := prctl(prCapAmbient, prCapAmbientClearAll); errno != 0 && errno != syscall.EINVAL {
		fail("clearing ambient capabilities: %v", errno)
	}
	if err := syscall.Setgroups(groups); err != nil {
		fail("setgroups: %v", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		fail("setgid %d: %v", gid, err)
	}
	// From uid 0 to another uid the kernel clears the permitted and effective sets.
	if err := syscall.Setuid(uid); err != nil {
		fail("setuid %d: %v", uid, err)
	}
	command := lookPath(os.Args[4])
	if err := syscall.Exec(command, os.Args[4:], os.Environ()); err != nil {
		fail("exec %s: %v", command, err)
	}
}
