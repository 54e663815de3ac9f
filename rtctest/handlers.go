package rtctest

// handlers maps actions with behaviour of their own to their handler.
// Every other action of the spec gets the generic answer: "success" for
// string results, plausible values shaped by the spec for objects
// (deterministic for a given input, inside the query window).
var handlers = map[string]handlerFunc{}

func init() {
	for a, h := range map[string]handlerFunc{
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
	} {
		handlers[a] = h
	}
	// Tasks: one handler driven by the taskOps table.
	for a := range taskOps {
		handlers[a] = handleTask
	}
}
