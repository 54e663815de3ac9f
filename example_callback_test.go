package rtc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/volcrtc/rtc"
)

// Verify and decode one event body as RTC posts it.
func ExampleParseCallback() {
	body := []byte(`{"EventType":"RecordUploadDone",` +
		`"EventData":"{\"AppId\":\"661e2f2a543cf\",\"RoomId\":\"Room1\",\"TaskId\":\"task1\",\"Code\":0}",` +
		`"EventTime":"2026-11-25T10:40:27+08:00","EventId":"e7b6a3c0-1f2d-4e5a-9b8c-0123456789ab",` +
		`"AppId":"661e2f2a543cf","Version":"2020-12-01","Nonce":"a1b2",` +
		`"Signature":"22548b9c4adc5975b867031d18286ac8604c6886cd72684e89916583368769d3"}`)

	ev, err := rtc.ParseCallback(body, "callbackSecret")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	var data rtc.TaskEventData
	if err := ev.DecodeData(&data); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(ev.EventType, data.RoomID, data.TaskID, "failed:", data.Failed())

	_, err = rtc.ParseCallback(body, "wrong secret")
	fmt.Println("wrong secret rejected:", errors.Is(err, rtc.ErrCallbackSignature))
	// Output:
	// RecordUploadDone Room1 task1 failed: false
	// wrong secret rejected: true
}

// Mount the receiver and deliver the same signed event twice: the function
// runs once, both deliveries are acknowledged.
func ExampleNewCallbackHandler() {
	const secret = "callbackSecret"
	handler, err := rtc.NewCallbackHandler(secret, func(ctx context.Context, ev *rtc.CallbackEvent) error {
		data, err := ev.ParseData()
		if err != nil {
			return err // answered with 500: RTC delivers the event again
		}
		if d, ok := data.(*rtc.UserEventData); ok {
			fmt.Printf("%s: %s in %s\n", ev.EventType, d.UserID, d.RoomID)
		}
		return nil
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	srv := httptest.NewServer(handler) // in production: http.Handle("/rtc/callback", handler)
	defer srv.Close()

	ev, _ := rtc.NewCallbackEvent("661e2f2a543cf", rtc.EventUserJoinRoom,
		rtc.UserEventData{RoomID: "room1", UserID: "user1", Timestamp: 1764000000000})
	ev.Sign(secret)
	body, _ := json.Marshal(ev)
	for i := 0; i < 2; i++ {
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		resp.Body.Close()
		fmt.Println("delivery", i+1, "->", resp.StatusCode)
	}
	// Output:
	// UserJoinRoom: user1 in room1
	// delivery 1 -> 200
	// delivery 2 -> 200
}

// A receiver built on ParseCallback checks freshness and dedupes itself:
// the signature alone accepts a replayed body, a body whose values were
// permuted between fields, and an old event.
func ExampleCallbackEvent_CheckFresh() {
	const secret = "callbackSecret"
	ev, _ := rtc.NewCallbackEvent("661e2f2a543cf", rtc.EventUserJoinRoom, map[string]any{"RoomId": "Room1", "UserId": "alice"})
	ev.EventID, ev.Nonce, ev.EventTime = "evt-1", "evt-2", "2026-11-25T10:40:27Z"
	ev.Sign(secret)
	body, _ := json.Marshal(ev)
	// The same signed values with EventId and Nonce swapped.
	permuted := bytes.Replace(bytes.Replace(body, []byte(`"evt-1"`), []byte(`"tmp"`), 1), []byte(`"evt-2"`), []byte(`"evt-1"`), 1)
	permuted = bytes.Replace(permuted, []byte(`"tmp"`), []byte(`"evt-2"`), 1)

	seen := map[string]bool{} // in production: a store shared by the replicas
	receive := func(now time.Time, body []byte) string {
		ev, err := rtc.ParseCallback(body, secret)
		if err != nil {
			return "refused: " + err.Error()
		}
		if err := ev.CheckFresh(now, rtc.DefaultCallbackMaxAge, rtc.DefaultCallbackClockSkew); err != nil {
			return fmt.Sprintf("refused (stale %v): %v", errors.Is(err, rtc.ErrCallbackStale), err)
		}
		keys := ev.DedupKeys()
		if seen[keys[0]] || seen[keys[1]] {
			return "duplicate of " + ev.EventID
		}
		seen[keys[0]], seen[keys[1]] = true, true
		return "processed " + ev.EventID
	}
	now := time.Date(2026, 11, 25, 10, 41, 0, 0, time.UTC)
	fmt.Println(receive(now, body))
	fmt.Println(receive(now, body))
	fmt.Println(receive(now, permuted))
	fmt.Println(receive(now.Add(30*24*time.Hour), body))
	// Output:
	// processed evt-1
	// duplicate of evt-1
	// duplicate of evt-2
	// refused (stale true): rtc: callback event is not fresh: EventTime 2026-11-25T10:40:27Z is 720h0m33s before this receiver's clock, more than the allowed 1h0m0s (see WithCallbackMaxAge)
}
