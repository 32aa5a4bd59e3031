"""The CRM (SPEC §8): the contacts table, its search and filters, and the Mass Actions."""
