CREATE TABLE "serving_key_use" (
	"instance_id" text NOT NULL,
	"key_id" uuid NOT NULL,
	"taken" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "serving_key_use_instance_id_key_id_pk" PRIMARY KEY("instance_id","key_id")
);
--> statement-breakpoint
ALTER TABLE "serving_key_use" ADD CONSTRAINT "serving_key_use_key_id_serving_key_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."serving_key"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "serving_key_use_key_idx" ON "serving_key_use" USING btree ("key_id","updated_at");