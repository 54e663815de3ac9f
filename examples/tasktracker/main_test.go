package main

import "testing"

// TestDemo runs the demo: the stop callback is dropped and the outcome
// arrives once, from a poll; run returns an error otherwise.
func TestDemo(t *testing.T) {
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
