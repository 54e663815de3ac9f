//go:build !unix

package main

// lock does nothing where flock is missing: run one release-check at a time.
func lock(string) (func(), error) { return func() {}, nil }
