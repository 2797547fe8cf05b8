import { MetadataStorage } from '@medusajs/framework/mikro-orm/core';

// Entities registered by an earlier test file must not leak into the next one's ORM.
MetadataStorage.clear();
