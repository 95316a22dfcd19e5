"""Regional skills labs, equipment, sessions and bookings (issue [Labs])."""
