package rtctest

// handlerFor returns the handler of an action with behaviour of its own,
// the one place handlers are looked up: the table below, the IM actions
// (imHandlers, run with their app's state) and the task actions (taskOps,
// one handler for all). Every other action of the spec gets the generic
// answer: "success" for string results, plausible values shaped by the
// spec for objects (deterministic for a given input, inside the query
// window).
func handlerFor(action string) handlerFunc {
	if h := handlers[action]; h != nil {
		return h
	}
	if h := imHandlers[action]; h != nil {
		return imHandler(h)
	}
	if _, ok := taskOps[action]; ok {
		return handleTask
	}
	return nil
}

// handlers are the RTC actions with a handler of their own.
var handlers = map[string]handlerFunc{
	// Rooms and users.
	"BanRoomUser":           handleBanRoomUser,
	"UpdateBanRoomUserRule": handleUpdateBanRoomUserRule,
	"KickUser":              handleKickUser,
	"DismissRoom":           handleDismissRoom,
	"GetRoomOnlineUsers":    handleGetRoomOnlineUsers,
	"BanUserStream":         handleBanUserStream,
	"UnbanUserStream":       handleUnbanUserStream,
	"LimitTokenPrivilege":   handleLimitTokenPrivilege,

	// Messages.
	"SendUnicast":          handleMessage,
	"SendRoomUnicast":      handleMessage,
	"SendBroadcast":        handleMessage,
	"BatchSendRoomUnicast": handleMessage,

	// Apps and business IDs.
	"CreateApp":             handleCreateApp,
	"ListApps":              handleListApps,
	"ModifyAppStatus":       handleModifyAppStatus,
	"AddBusinessID":         handleAddBusinessID,
	"DeleteBusinessID":      handleDeleteBusinessID,
	"ModifyBusinessRemarks": handleModifyBusinessRemarks,
	"GetAllBusinessID":      handleGetAllBusinessID,

	// Callbacks.
	"CreateCallback": handleCreateCallback,
	"UpdateCallback": handleUpdateCallback,
	"DeleteCallback": handleDeleteCallback,
	"GetCallback":    handleGetCallback,

	// Failover policies.
	"CreateFailRecoveryPolicy": handleCreateFailRecoveryPolicy,
	"UpdateFailRecoveryPolicy": handleUpdateFailRecoveryPolicy,
	"DeleteFailRecoveryPolicy": handleDeleteFailRecoveryPolicy,
	"GetFailRecoveryPolicies":  handleGetFailRecoveryPolicies,
	"CreateVendorPolicy":       handleCreateVendorPolicy,
	"UpdateVendorPolicy":       handleUpdateVendorPolicy,

	// Whiteboard transcoding.
	"WbTranscodeCreate": handleWbTranscodeCreate,
	"WbTranscodeQuery":  handleWbTranscodeQuery,
	"WbTranscodeGet":    handleWbTranscodeGet,
}
