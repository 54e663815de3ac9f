package spec

import "testing"

func TestLoad(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Actions); got != 143 {
		t.Fatalf("actions = %d, want 143", got)
	}
	a := s.Find("BanRoomUser")
	if a == nil || a.Method != "POST" || a.Version != "2023-11-01" || !a.HasVersion("2020-12-01") {
		t.Fatalf("BanRoomUser = %+v", a)
	}
	if s.Find("NoSuchAction") != nil {
		t.Fatal("found an action that does not exist")
	}
}
