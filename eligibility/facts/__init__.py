"""What the calculator may know about an applicant: the vocabulary of facts, how each is spelled, the profile."""
