-- The workspace schema of version 1, as Automation Builder made it before migrations existed.
CREATE TABLE schema_version (
	version INTEGER NOT NULL, 
	PRIMARY KEY (version)
);
CREATE TABLE sender_profile (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	channel VARCHAR NOT NULL, 
	daily_limit INTEGER NOT NULL, 
	weight INTEGER NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE contact (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	email VARCHAR, 
	company VARCHAR, 
	title VARCHAR, 
	linkedin_url VARCHAR, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_contact_linkedin_url ON contact (linkedin_url);
CREATE INDEX ix_contact_email ON contact (email);
CREATE TABLE tag (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE segment (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	rule VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE automation (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	state VARCHAR NOT NULL, 
	ignore_previous_interactions BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE contact_tag (
	contact_id INTEGER NOT NULL, 
	tag_id INTEGER NOT NULL, 
	PRIMARY KEY (contact_id, tag_id), 
	FOREIGN KEY(contact_id) REFERENCES contact (id) ON DELETE CASCADE, 
	FOREIGN KEY(tag_id) REFERENCES tag (id) ON DELETE CASCADE
);
CREATE INDEX ix_contact_tag_tag_id ON contact_tag (tag_id);
CREATE TABLE segment_tag (
	segment_id INTEGER NOT NULL, 
	tag_id INTEGER NOT NULL, 
	PRIMARY KEY (segment_id, tag_id), 
	FOREIGN KEY(segment_id) REFERENCES segment (id) ON DELETE CASCADE, 
	FOREIGN KEY(tag_id) REFERENCES tag (id) ON DELETE CASCADE
);
CREATE TABLE segment_member (
	segment_id INTEGER NOT NULL, 
	contact_id INTEGER NOT NULL, 
	PRIMARY KEY (segment_id, contact_id), 
	FOREIGN KEY(segment_id) REFERENCES segment (id) ON DELETE CASCADE, 
	FOREIGN KEY(contact_id) REFERENCES contact (id) ON DELETE CASCADE
);
CREATE TABLE node (
	id INTEGER NOT NULL, 
	automation_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	x FLOAT NOT NULL, 
	y FLOAT NOT NULL, 
	segment_id INTEGER, 
	wait_days INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE CASCADE, 
	FOREIGN KEY(segment_id) REFERENCES segment (id) ON DELETE RESTRICT
);
CREATE INDEX ix_node_automation_id ON node (automation_id);
CREATE TABLE override (
	contact_id INTEGER NOT NULL, 
	sender_profile_id INTEGER NOT NULL, 
	PRIMARY KEY (contact_id), 
	FOREIGN KEY(contact_id) REFERENCES contact (id) ON DELETE CASCADE, 
	FOREIGN KEY(sender_profile_id) REFERENCES sender_profile (id) ON DELETE RESTRICT
);
CREATE INDEX ix_override_sender_profile_id ON override (sender_profile_id);
CREATE TABLE edge (
	id INTEGER NOT NULL, 
	automation_id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	target_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (source_id, target_id), 
	FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE CASCADE, 
	FOREIGN KEY(source_id) REFERENCES node (id) ON DELETE CASCADE, 
	FOREIGN KEY(target_id) REFERENCES node (id) ON DELETE CASCADE
);
CREATE INDEX ix_edge_target_id ON edge (target_id);
CREATE INDEX ix_edge_automation_id ON edge (automation_id);
CREATE TABLE branch_attachment (
	id INTEGER NOT NULL, 
	node_id INTEGER NOT NULL, 
	sender_profile_id INTEGER NOT NULL, 
	state VARCHAR NOT NULL, 
	weight INTEGER NOT NULL, 
	attach_order INTEGER NOT NULL, 
	rotation INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (node_id, sender_profile_id), 
	FOREIGN KEY(node_id) REFERENCES node (id) ON DELETE CASCADE, 
	FOREIGN KEY(sender_profile_id) REFERENCES sender_profile (id) ON DELETE RESTRICT
);
CREATE INDEX ix_branch_attachment_sender_profile_id ON branch_attachment (sender_profile_id);
CREATE TABLE enrollment (
	id INTEGER NOT NULL, 
	automation_id INTEGER NOT NULL, 
	contact_id INTEGER NOT NULL, 
	branch_node_id INTEGER NOT NULL, 
	sender_profile_id INTEGER, 
	reason VARCHAR, 
	status VARCHAR NOT NULL, 
	enrolled_day INTEGER NOT NULL, 
	ignored_override_id INTEGER, 
	PRIMARY KEY (id), 
	UNIQUE (automation_id, contact_id), 
	FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE RESTRICT, 
	FOREIGN KEY(contact_id) REFERENCES contact (id) ON DELETE RESTRICT, 
	FOREIGN KEY(branch_node_id) REFERENCES node (id) ON DELETE RESTRICT, 
	FOREIGN KEY(sender_profile_id) REFERENCES sender_profile (id) ON DELETE RESTRICT, 
	FOREIGN KEY(ignored_override_id) REFERENCES sender_profile (id) ON DELETE RESTRICT
);
CREATE INDEX ix_enrollment_contact_id ON enrollment (contact_id);
CREATE INDEX ix_enrollment_branch_profile ON enrollment (branch_node_id, sender_profile_id, status);
CREATE TABLE task (
	id INTEGER NOT NULL, 
	enrollment_id INTEGER NOT NULL, 
	sender_profile_id INTEGER NOT NULL, 
	step_node_id INTEGER NOT NULL, 
	step_index INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	due_day INTEGER, 
	done_day INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(enrollment_id) REFERENCES enrollment (id) ON DELETE RESTRICT, 
	FOREIGN KEY(sender_profile_id) REFERENCES sender_profile (id) ON DELETE RESTRICT, 
	FOREIGN KEY(step_node_id) REFERENCES node (id) ON DELETE RESTRICT
);
CREATE INDEX ix_task_enrollment_id ON task (enrollment_id);
CREATE INDEX ix_task_plan ON task (status, due_day, sender_profile_id);
CREATE TABLE interaction (
	id INTEGER NOT NULL, 
	contact_id INTEGER NOT NULL, 
	sender_profile_id INTEGER NOT NULL, 
	day INTEGER NOT NULL, 
	automation_id INTEGER, 
	task_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(contact_id) REFERENCES contact (id) ON DELETE CASCADE, 
	FOREIGN KEY(sender_profile_id) REFERENCES sender_profile (id) ON DELETE RESTRICT, 
	FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE RESTRICT, 
	FOREIGN KEY(task_id) REFERENCES task (id) ON DELETE RESTRICT
);
CREATE INDEX ix_interaction_contact_id ON interaction (contact_id);
INSERT INTO schema_version (version) VALUES (1);
