//go:build unix

package rtc

import "syscall"

// openNonBlock opens a FIFO without waiting for a writer; regular files read
// as usual.
const openNonBlock = syscall.O_NONBLOCK
