package conformance_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/volcengine/volc-sdk-golang/service/im"
	"github.com/volcrtc/rtc"
)

// sendMessageEnvelope is the answer to SendMessage in the IM benchmark.
var sendMessageEnvelope = []byte(`{"ResponseMetadata":{"RequestId":"20261125104027ABCDEF0123456789AB","Action":"SendMessage","Version":"2020-12-01","Service":"rtc","Region":"cn-north-1"},"Result":{"MessageId":7100000000000000001}}`)

// BenchmarkIMSendMessage is a whole IM SendMessage call, encode + sign +
// decode, through an in-memory transport, by our IMClient and by the
// vendor's IM client.
func BenchmarkIMSendMessage(b *testing.B) {
	ctx := context.Background()
	b.Run("ours", func(b *testing.B) {
		c := newOurClient(b, "https://"+benchHost, &http.Client{Transport: memTransport{body: sendMessageEnvelope}}).IM()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := c.SendMessage(ctx, &rtc.IMSendMessageRequest{AppID: 3000001, ConversationShortID: 7000000000000000001,
				Sender: 10001, MsgType: rtc.IMMsgText, Content: `{"text":"hello"}`})
			if err != nil || res.MessageID == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("vendor", func(b *testing.B) {
		c := im.NewInstance()
		c.SetHost(benchHost)
		c.SetScheme("https")
		c.SetAccessKey(benchAK)
		c.SetSecretKey(benchSK)
		c.Client.Client = &http.Client{Transport: memTransport{body: sendMessageEnvelope}}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := c.SendMessage(ctx, &im.SendMessageBody{AppID: 3000001, ConversationShortID: 7000000000000000001,
				Sender: 10001, MsgType: 10001, Content: `{"text":"hello"}`})
			if err != nil || res.Result.MessageID == 0 {
				b.Fatal(err)
			}
		}
	})
}
