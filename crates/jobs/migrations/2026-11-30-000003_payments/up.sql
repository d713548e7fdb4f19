-- Online payments for bookings (DOMAIN §4.4) and the worker's share of them (§4.5). Used only when
-- ENABLE_PAYMENTS is on; bookings are cash first.
CREATE TABLE payments (
    id                 uuid PRIMARY KEY,
    booking_id         uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    amount             numeric(10,2) NOT NULL CHECK (amount > 0),
    currency           varchar(3) NOT NULL DEFAULT 'INR',
    gateway            varchar(20) NOT NULL DEFAULT 'manual' CHECK (gateway IN ('razorpay', 'stripe', 'manual')),
    status             varchar(20) NOT NULL DEFAULT 'created'
                       CHECK (status IN ('created', 'pending', 'completed', 'failed')),
    gateway_reference  varchar(255) UNIQUE,
    metadata           jsonb NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_booking ON payments (booking_id);

-- At most one payout per payment: the database says so, so a redelivered webhook cannot pay twice.
CREATE TABLE payouts (
    id                 uuid PRIMARY KEY,
    worker_id          uuid NOT NULL,
    payment_id         uuid UNIQUE REFERENCES payments (id) ON DELETE CASCADE,
    amount             numeric(10,2) NOT NULL CHECK (amount >= 0),
    currency           varchar(3) NOT NULL DEFAULT 'INR',
    status             varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed')),
    gateway_reference  varchar(255),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payouts_worker ON payouts (worker_id, created_at DESC);
