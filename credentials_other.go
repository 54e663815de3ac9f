//go:build !unix

package rtc

const openNonBlock = 0
