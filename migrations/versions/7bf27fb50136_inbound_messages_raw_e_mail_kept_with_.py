"""inbound messages: raw e-mail kept with what became of it

Revision ID: 7bf27fb50136
Revises: 5e0b7c3a91d4
Create Date: 2026-11-22 05:06:48.904155

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7bf27fb50136'
down_revision = '5e0b7c3a91d4'
branch_labels = None
depends_on = None


def upgrade():
    # Every received mail, raw bytes first; the unique Message-ID makes a re-ingest one record.
    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_via', sa.String(length=8), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('raw_sha256', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('from_address', sa.String(length=254), nullable=True),
    sa.Column('from_name', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("received_via IN ('cli', 'api')", name=op.f('ck_inbound_messages_received_via_known')),
    sa.CheckConstraint("status IN ('ticket_created', 'event_added', 'quarantined', 'rejected', 'released', 'discarded')", name=op.f('ck_inbound_messages_status_known')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_inbound_messages_size_not_negative')),
    sa.ForeignKeyConstraint(['contact_id'], ['users.id'], name=op.f('fk_inbound_messages_contact_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_inbound_messages_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['ticket_events.id'], name=op.f('fk_inbound_messages_event_id_ticket_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_inbound_messages_received_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_inbound_messages_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('message_id', name=op.f('uq_inbound_messages_message_id'))
    )
    # The quarantine list (status, newest first); resends without a Message-ID; by ticket.
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_raw_sha256'), ['raw_sha256'], unique=False)
        batch_op.create_index('ix_inbound_messages_status_received_at', ['status', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_ticket_id'), ['ticket_id'], unique=False)


def downgrade():
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_messages_ticket_id'))
        batch_op.drop_index('ix_inbound_messages_status_received_at')
        batch_op.drop_index(batch_op.f('ix_inbound_messages_raw_sha256'))
    op.drop_table('inbound_messages')
