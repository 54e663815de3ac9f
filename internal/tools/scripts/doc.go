// Package scripts holds the tests of the repository's shell scripts
// (scripts/*.sh).
package scripts
