namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The kinds of record the iVvy simulator stores, for <see cref="IvvySimulator.CountAsync"/>.</summary>
public enum IvvyEntity
{
    /// <summary>Contacts (<c>contact.getContactList</c>).</summary>
    Contacts,

    /// <summary>Companies (<c>contact.getCompanyList</c>).</summary>
    Companies,

    /// <summary>Events (<c>event.getEventList</c>).</summary>
    Events,

    /// <summary>Event invitations (<c>event.getInvitedContactList</c>), all events.</summary>
    Invitations,

    /// <summary>Event registrations (<c>event.getRegistrationList</c>), all events.</summary>
    Registrations,

    /// <summary>Event attendees (<c>event.getAttendeeList</c>), all events.</summary>
    Attendees,

    /// <summary>Venues.</summary>
    Venues,

    /// <summary>Venue bookings (<c>venue.getBookingListForAccount</c>).</summary>
    Bookings,

    /// <summary>Sent emails (<c>account.getEmailLogList</c>).</summary>
    EmailLogs,
}
